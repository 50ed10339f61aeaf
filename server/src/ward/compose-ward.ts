import type { ServerFrame } from '@pumpwatch/protocol';
import type { Logger } from 'pino';
import type { DeepPartial, EngineParams } from '../alerts/engine/params.js';
import type { EscalationPolicy } from '../alerts/lifecycle.js';
import { NotificationDispatcher } from '../alerts/notification-dispatcher.js';
import type { Notifier, OnCallTier } from '../alerts/notifiers/notifier.js';
import type { ErrorSink } from '../guard.js';
import type { IngestStats } from '../ingest/ingest-stats.js';
import type { Store } from '../store/ports.js';
import { PumpFrames } from '../ws/pump-frames.js';
import { EventBus } from './event-bus.js';
import { WardCore } from './ward-core.js';
import type { WardEvents } from './ward-events.js';
import { WardShell } from './ward-shell.js';

export interface WardOptions {
  params: EngineParams;
  pumpParams?: Record<string, DeepPartial<EngineParams>>;
  policy: EscalationPolicy;
  /**
   * Notifiers told of every raised, escalated and renotified alert along config tiers: in-process
   * callers and tests. The server pages through its paging service instead (paging/paging-service.ts).
   */
  tiers?: OnCallTier[];
  notifiers?: Notifier[];
  store: Pick<Store, 'samples' | 'alerts' | 'orders' | 'pumpParams'>;
  stats: IngestStats;
  now: () => number;
  logger: Logger;
  onError: ErrorSink;
  /** Transitions that could not be stored or notified (`alertErrors` in /api/health). */
  onAlertError: (error: unknown) => void;
  /** Pump frames at most once per pump per this interval. */
  pumpFrameIntervalMs: number;
}

export interface Ward {
  readonly core: WardCore;
  readonly shell: WardShell;
  readonly bus: EventBus<WardEvents>;
  /** Sends to every dashboard: the alert frames and the pump frames go through here once attached. */
  attachBroadcast(broadcast: (frame: ServerFrame) => void, pumpFrameBatch?: number): PumpFrames;
}

/**
 * The ward core, its shell and the listeners every server has: the alert log line and the notifiers.
 * The WebSocket joins with `attachBroadcast` once it exists; more listeners (the HL7 outbox, push
 * channels) join the bus the same way, each under its own owner.
 */
export function composeWard(options: WardOptions): Ward {
  const { store, logger, now, onError } = options;
  const bus = new EventBus<WardEvents>(onError);
  const core = new WardCore({
    params: options.params,
    policy: options.policy,
    ...(options.pumpParams ? { pumpParams: options.pumpParams } : {}),
  });
  const shell = new WardShell({
    core,
    bus,
    samples: store.samples,
    alerts: store.alerts,
    orders: store.orders,
    pumpParams: store.pumpParams,
    stats: options.stats,
    now,
    onError,
    onAlertError: options.onAlertError,
  });
  bus.on('alert', 'log/alerts', (transition) => {
    const { alert } = transition;
    logger.info(
      { event: transition.type, alertId: alert.id, rule: alert.rule, actor: transition.actor },
      'alert transition',
    );
  });
  if (options.notifiers?.length && options.tiers?.length)
    new NotificationDispatcher({
      tiers: options.tiers,
      notifiers: options.notifiers,
      store: store.alerts,
      current: (alertId) => core.openAlert(alertId),
      now,
      onError: (error) => {
        options.onAlertError(error);
      },
    }).listen(bus);
  return {
    core,
    shell,
    bus,
    attachBroadcast(broadcast, pumpFrameBatch) {
      bus.on('alert', 'ws/alerts', (transition) => broadcast({ type: 'alert', alert: transition.alert }));
      const frames = new PumpFrames({
        view: (pumpId) => shell.view(pumpId),
        broadcast,
        now,
        intervalMs: options.pumpFrameIntervalMs,
        ...(pumpFrameBatch ? { batch: pumpFrameBatch } : {}),
        onError,
      });
      frames.listen(bus);
      return frames;
    },
  };
}
