import {
  type Alert,
  type AlertStatus,
  PRIORITY_RANK,
  type RuleId,
  type TelemetrySample,
} from '@pumpwatch/protocol';
import { PumpwatchError } from '../errors.js';
import type { AlertStore } from '../store/ports.js';
import {
  evaluateSample,
  initialPumpEngineState,
  type PumpEngineState,
  sampleRuleIds,
} from './engine/evaluate.js';
import { type LivenessInput, livenessConditions, livenessRuleIds } from './engine/liveness.js';
import type { EngineParams } from './engine/params.js';
import { type AlertTransition, acknowledge, reconcile } from './lifecycle.js';

export interface AlertServiceDeps {
  store: AlertStore;
  params: EngineParams;
  now: () => number;
  /** Called after each transition is persisted; the WebSocket hub and notifiers listen here. */
  onTransition: (transition: AlertTransition) => void;
  onError: (error: unknown) => void;
}

/**
 * The shell around the pure engine and lifecycle: keeps open alerts in memory, persists every transition
 * with its event before announcing it, and answers queries.
 */
export class AlertService {
  private readonly openByPump = new Map<string, Map<RuleId, Alert>>();
  private readonly openById = new Map<string, Alert>();
  private readonly engineStates = new Map<string, PumpEngineState>();

  constructor(private readonly deps: AlertServiceDeps) {}

  /** Restores unresolved alerts after a restart, so an ongoing condition does not raise a duplicate. */
  async restore(): Promise<number> {
    const alerts = await this.deps.store.unresolved();
    for (const alert of alerts) {
      this.track(alert);
      if (!alert.latched && sampleRuleIds.includes(alert.rule))
        this.engineState(alert.pumpId).active.add(alert.rule);
    }
    return alerts.length;
  }

  onSample(hubId: string, pumpId: string, sample: TelemetrySample): void {
    const conditions = evaluateSample(this.engineState(pumpId), sample, this.deps.params);
    if (!conditions) return;
    const transitions = reconcile(this.openFor(pumpId), conditions, sampleRuleIds, {
      hubId,
      pumpId,
      now: sample.ts,
      idSuffix: sample.seq,
    });
    this.applyAll(transitions);
  }

  /** Liveness uses the server clock: called on a timer for every known pump. */
  checkLiveness(hubId: string, pumpId: string, input: LivenessInput): void {
    const now = this.deps.now();
    const conditions = livenessConditions(input, now, this.deps.params);
    const transitions = reconcile(this.openFor(pumpId), conditions, livenessRuleIds, {
      hubId,
      pumpId,
      now,
      idSuffix: now,
    });
    this.applyAll(transitions);
  }

  async acknowledge(alertId: string, by: string): Promise<Alert> {
    const alert = this.openById.get(alertId);
    if (!alert) {
      const stored = await this.deps.store.get(alertId);
      if (!stored) throw new PumpwatchError('ALERT_NOT_FOUND', `no alert with id ${alertId}`);
      return stored;
    }
    const transitions = acknowledge(alert, by, this.deps.now());
    await Promise.all(transitions.map((transition) => this.apply(transition)));
    return this.openById.get(alertId) ?? (transitions.at(-1)?.alert as Alert);
  }

  /** Open alerts of one pump, worst first. */
  openAlertsOf(pumpId: string): Alert[] {
    return [...(this.openByPump.get(pumpId)?.values() ?? [])].sort(worstFirst);
  }

  openAlerts(): Alert[] {
    return [...this.openById.values()].sort(worstFirst);
  }

  async list(status: AlertStatus | 'all' | undefined): Promise<Alert[]> {
    if (status === undefined) return this.openAlerts();
    if (status === 'active' || status === 'acknowledged') {
      return this.openAlerts().filter((alert) => alert.status === status);
    }
    return this.deps.store.list(status, 10_000);
  }

  private applyAll(transitions: AlertTransition[]): void {
    for (const transition of transitions) {
      this.apply(transition).catch(this.deps.onError);
    }
  }

  /** Updates memory at once (so the next sample sees it), then persists, then announces. */
  private async apply(transition: AlertTransition): Promise<void> {
    const { alert } = transition;
    if (alert.status === 'resolved') this.untrack(alert);
    else this.track(alert);
    await this.deps.store.save(alert, {
      alertId: alert.id,
      type: transition.type,
      at: transition.at,
      actor: transition.actor,
      alert,
    });
    this.deps.onTransition(transition);
  }

  private track(alert: Alert): void {
    let perRule = this.openByPump.get(alert.pumpId);
    if (!perRule) {
      perRule = new Map();
      this.openByPump.set(alert.pumpId, perRule);
    }
    perRule.set(alert.rule, alert);
    this.openById.set(alert.id, alert);
  }

  private untrack(alert: Alert): void {
    this.openByPump.get(alert.pumpId)?.delete(alert.rule);
    this.openById.delete(alert.id);
  }

  private openFor(pumpId: string): ReadonlyMap<RuleId, Alert> {
    return this.openByPump.get(pumpId) ?? new Map();
  }

  private engineState(pumpId: string): PumpEngineState {
    let state = this.engineStates.get(pumpId);
    if (!state) {
      state = initialPumpEngineState();
      this.engineStates.set(pumpId, state);
    }
    return state;
  }
}

export function worstFirst(a: Alert, b: Alert): number {
  const needsAction = Number(b.status === 'active') - Number(a.status === 'active');
  if (needsAction !== 0) return needsAction;
  return PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || a.raisedAt - b.raisedAt;
}
