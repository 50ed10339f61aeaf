import {
  type Alert,
  type AlertStatus,
  PRIORITY_RANK,
  type StoredOrder,
  type TelemetrySample,
} from '@pumpwatch/protocol';
import { PumpwatchError } from '../errors.js';
import type { AlertStore, StoredPumpParams } from '../store/ports.js';
import type { LivenessInput } from './engine/liveness.js';
import type { DeepPartial, EngineParams } from './engine/params.js';
import { EngineCore, type PumpParamsOverride } from './engine-core.js';
import { type AlertTransition, acknowledge, type EscalationPolicy, snooze } from './lifecycle.js';
import type { DeliveryRecord, NotificationReason, Notifier, OnCallTier } from './notifiers/notifier.js';

export interface AlertServiceDeps {
  store: AlertStore;
  params: EngineParams;
  /** Per-pump parameter overrides (server config `engine.pumps`). */
  pumpParams?: Record<string, DeepPartial<EngineParams>>;
  policy: EscalationPolicy;
  tiers: OnCallTier[];
  notifiers: Notifier[];
  now: () => number;
  /** Called for each transition as it happens, before it is persisted; the WebSocket hub listens here. */
  onTransition: (transition: AlertTransition) => void;
  onError: (error: unknown) => void;
}

/**
 * The shell around the pure engine and lifecycle: keeps open alerts and per-pump engine state in memory,
 * announces every transition, persists it with its event, runs escalation on the server clock, and
 * hands notifications to the notifiers.
 */
export class AlertService {
  private readonly core: EngineCore;
  /** Rule settings made through the API, with who made them (the engine keeps only the overrides). */
  private readonly paramSettings = new Map<string, StoredPumpParams>();

  constructor(private readonly deps: AlertServiceDeps) {
    this.core = new EngineCore({
      params: deps.params,
      policy: deps.policy,
      ...(deps.pumpParams ? { pumpParams: deps.pumpParams } : {}),
    });
  }

  /**
   * Restores orders, rule settings and unresolved alerts after a restart: an ongoing condition raises no
   * duplicate. A stored rule setting that no longer validates (the config changed under it) is skipped
   * and returned, so the caller can say so loudly; that pump runs on the config's parameters.
   */
  async restore(
    orders: StoredOrder[] = [],
    settings: StoredPumpParams[] = [],
  ): Promise<{ openAlerts: number; rejectedSettings: Array<{ pumpId: string; error: unknown }> }> {
    for (const order of orders) this.core.setOrder(order.pumpId, order);
    const rejectedSettings: Array<{ pumpId: string; error: unknown }> = [];
    for (const setting of settings) {
      try {
        this.setPumpParams(setting.pumpId, setting);
      } catch (error) {
        rejectedSettings.push({ pumpId: setting.pumpId, error });
      }
    }
    const alerts = await this.deps.store.unresolved();
    for (const alert of alerts) this.core.apply(alert);
    return { openAlerts: alerts.length, rejectedSettings };
  }

  onSample(hubId: string, pumpId: string, sample: TelemetrySample): void {
    this.applyAll(this.core.onSample(hubId, pumpId, sample, this.deps.now()));
  }

  /** Liveness uses the server clock: called on a timer for every known pump. */
  checkLiveness(hubId: string, pumpId: string, input: LivenessInput): void {
    this.applyAll(this.core.checkLiveness(hubId, pumpId, input, this.deps.now()));
  }

  /** Escalation timers: called every second; persisted `nextEscalationAt` makes them survive restarts. */
  tick(): void {
    this.applyAll(this.core.escalations(this.deps.now()));
  }

  async acknowledge(alertId: string, by: string): Promise<Alert> {
    return this.act(alertId, (alert, now) => acknowledge(alert, by, now));
  }

  async snooze(alertId: string, by: string, durationMs: number): Promise<Alert> {
    return this.act(alertId, (alert, now) => snooze(alert, by, durationMs, now));
  }

  /** The prescribed order of a pump; the next sample re-evaluates order_mismatch against it. */
  setOrder(pumpId: string, order: StoredOrder | null): void {
    this.core.setOrder(pumpId, order);
  }

  order(pumpId: string): StoredOrder | null {
    return this.core.order(pumpId);
  }

  /**
   * The parameters a pump would run on with `overrides` as its rule setting. Throws CONFIG_INVALID
   * (with every bad path) without changing anything: validate before storing.
   */
  checkPumpParams(pumpId: string, overrides: PumpParamsOverride): EngineParams {
    return this.core.resolvePumpParams(pumpId, overrides);
  }

  /** Replaces or (null) removes a pump's rule setting; its next sample is judged by it. */
  setPumpParams(pumpId: string, setting: StoredPumpParams | null): void {
    this.core.setPumpParams(pumpId, setting?.overrides ?? null);
    if (setting) this.paramSettings.set(pumpId, setting);
    else this.paramSettings.delete(pumpId);
  }

  /** A pump's rule setting (null when none was set through the API) and the parameters in force. */
  pumpParams(pumpId: string): { setting: StoredPumpParams | null; effective: EngineParams } {
    return { setting: this.paramSettings.get(pumpId) ?? null, effective: this.core.paramsOf(pumpId) };
  }

  /** Open alerts of one pump, worst first. */
  openAlertsOf(pumpId: string): Alert[] {
    return [...this.core.openAlertsOf(pumpId)].sort(worstFirst);
  }

  openAlerts(): Alert[] {
    return [...this.core.openAlerts()].sort(worstFirst);
  }

  async list(status: AlertStatus | 'all' | undefined): Promise<Alert[]> {
    if (status === undefined) return this.openAlerts();
    if (status === 'active' || status === 'acknowledged') {
      return this.openAlerts().filter((alert) => alert.status === status);
    }
    return this.deps.store.list(status, 10_000);
  }

  private async act(
    alertId: string,
    action: (alert: Alert, now: number) => AlertTransition[],
  ): Promise<Alert> {
    const alert = this.core.open(alertId);
    if (!alert) {
      const stored = await this.deps.store.get(alertId);
      if (!stored) throw new PumpwatchError('ALERT_NOT_FOUND', `no alert with id ${alertId}`);
      return stored;
    }
    const transitions = action(alert, this.deps.now());
    for (const transition of transitions) await this.apply(transition);
    return transitions.at(-1)?.alert ?? alert;
  }

  private applyAll(transitions: AlertTransition[]): void {
    for (const transition of transitions) this.apply(transition).catch(this.deps.onError);
  }

  /**
   * Updates memory at once (so the next sample sees it), announces, then persists, then notifies.
   *
   * Announced before the commit, not after: a commit waits for the disk (an fsync, ~10 ms here, and up
   * to seconds behind a checkpoint or a failing disk), and an alert held back by the disk, or never
   * shown because its save failed, is a missed alert. Persisting first bought nothing in return: a
   * server killed before the commit loses the alert either way, and announced first the nurse has at
   * least seen it. The notifiers are told even when the save fails, for the same reason; callers that
   * wait (an acknowledgement over HTTP) still get the store's error.
   */
  private async apply(transition: AlertTransition): Promise<void> {
    const { alert } = transition;
    this.core.apply(alert);
    this.deps.onTransition(transition);
    const reason = notificationReason(transition);
    try {
      await this.deps.store.save(alert, {
        alertId: alert.id,
        type: transition.type,
        at: transition.at,
        actor: transition.actor,
        alert,
        ...(transition.details ? { details: transition.details } : {}),
      });
    } finally {
      if (reason) void this.notify(alert, reason);
    }
  }

  /** Tells the alert's current on-call tier; every delivery is recorded as a `notified` event. */
  private async notify(alert: Alert, reason: NotificationReason): Promise<void> {
    const tierIndex = Math.min(alert.escalationLevel, this.deps.tiers.length - 1);
    const tier = this.deps.tiers[tierIndex];
    if (!tier) return;
    for (const notifier of this.deps.notifiers) {
      let records: DeliveryRecord[];
      try {
        records = await notifier.notify({ alert, reason, tierIndex, tier });
      } catch (error) {
        this.deps.onError(error);
        continue;
      }
      for (const record of records) {
        const current = this.core.open(alert.id) ?? alert;
        await this.deps.store
          .save(current, {
            alertId: alert.id,
            type: 'notified',
            at: this.deps.now(),
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
  if (transition.type === 'raised' || transition.type === 'renotified') return transition.type;
  if (transition.type === 'escalated') return 'escalated';
  return null;
}

export function worstFirst(a: Alert, b: Alert): number {
  const needsAction = Number(b.status === 'active') - Number(a.status === 'active');
  if (needsAction !== 0) return needsAction;
  return PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || a.raisedAt - b.raisedAt;
}
