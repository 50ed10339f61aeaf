import type { Alert } from '@pumpwatch/protocol';
import type { AlertStore } from '../store/ports.js';
import type { EventBus } from '../ward/event-bus.js';
import type { WardEvents } from '../ward/ward-events.js';
import type { AlertTransition } from './lifecycle.js';
import type { DeliveryRecord, NotificationReason, Notifier, OnCallTier } from './notifiers/notifier.js';

export interface NotificationDispatcherDeps {
  tiers: OnCallTier[];
  notifiers: Notifier[];
  store: AlertStore;
  /** The alert as it is now (a delivery can finish after it was acknowledged). */
  current: (alertId: string) => Alert | undefined;
  now: () => number;
  onError: (error: unknown) => void;
}

/**
 * Tells the alert's current on-call tier when it is raised, escalated or renotified, through every
 * notifier, and records each delivery as a `notified` event. A listener on the ward's bus: a notifier
 * that hangs or fails holds up neither the ward nor the other listeners.
 */
export class NotificationDispatcher {
  static readonly owner = 'notifications';

  constructor(private readonly deps: NotificationDispatcherDeps) {}

  listen(bus: EventBus<WardEvents>): void {
    bus.on('alert', NotificationDispatcher.owner, (transition) => this.onTransition(transition));
  }

  private async onTransition(transition: AlertTransition): Promise<void> {
    const reason = notificationReason(transition);
    if (reason) await this.notify(transition.alert, reason);
  }

  private async notify(alert: Alert, reason: NotificationReason): Promise<void> {
    const { tiers, notifiers, store, now } = this.deps;
    const tierIndex = Math.min(alert.escalationLevel, tiers.length - 1);
    const tier = tiers[tierIndex];
    if (!tier) return;
    for (const notifier of notifiers) {
      let records: DeliveryRecord[];
      try {
        records = await notifier.notify({ alert, reason, tierIndex, tier });
      } catch (error) {
        this.deps.onError(error);
        continue;
      }
      for (const record of records) {
        const current = this.deps.current(alert.id) ?? alert;
        await store
          .save(current, {
            alertId: alert.id,
            type: 'notified',
            at: now(),
            actor: `${record.channel}:${tier.name}`,
            alert: current,
            details: { reason, tierIndex, ...record },
          })
          .catch(this.deps.onError);
      }
    }
  }
}

function notificationReason(transition: AlertTransition): NotificationReason | null {
  // An alert raised already acknowledged (it took over a superseded alert's acknowledgement) or reopened
  // acknowledged has someone answering for it: the tier is not told again. Reopened unacknowledged, it
  // is news to the tier as a raise is.
  if (transition.type === 'raised' || transition.type === 'retriggered') {
    return transition.alert.status === 'active' ? 'raised' : null;
  }
  if (transition.type === 'renotified') return transition.type;
  if (transition.type === 'escalated') return 'escalated';
  return null;
}
