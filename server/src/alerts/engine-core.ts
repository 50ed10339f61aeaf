import type { Alert, RuleId, StoredOrder, TelemetrySample } from '@pumpwatch/protocol';
import { type CareRuleInput, careConditions, careRuleIds } from './engine/care-rules.js';
import { type Condition, describeConditions } from './engine/describe.js';
import { evaluateSample } from './engine/evaluate.js';
import { type LivenessInput, livenessConditions, livenessRuleIds } from './engine/liveness.js';
import { type DeepPartial, type EngineParams, reopenWithinMs, resolveParams } from './engine/params.js';
import { NumberSlab, PumpEngineState } from './engine/pump-state.js';
import { sampleRuleIds } from './engine/rule-index.js';
import {
  type AlertTransition,
  type EscalationPolicy,
  escalate,
  type ReconcileContext,
  reconcile,
} from './lifecycle.js';

/** A partial parameter tree, validated when resolved. */
export type PumpParamsOverride = DeepPartial<EngineParams> | Record<string, unknown>;

export interface EngineCoreOptions {
  params: EngineParams;
  pumpParams?: Record<string, DeepPartial<EngineParams>>;
  policy: EscalationPolicy;
}

const NO_ALERTS: ReadonlyMap<RuleId, Alert> = new Map();
/** Returned when nothing changed, so the per-sample path allocates nothing. */
const NO_TRANSITIONS: AlertTransition[] = [];

/**
 * Rules plus lifecycle for every pump, in memory, without clock or I/O: samples and times in,
 * transitions out. The caller applies each transition with `apply` before its next input: the ward core
 * (ward/ward-core.ts) does so at once, and its shell announces and then persists them. Per sample it
 * costs the rule evaluation only; the lifecycle runs when a verdict changed.
 */
export class EngineCore {
  private readonly openByPump = new Map<string, Map<RuleId, Alert>>();
  private readonly openById = new Map<string, Alert>();
  /**
   * Each pump's alerts resolved last, by rule: reopened if their condition returns within the rule's
   * hold-off (lifecycle.ts reopen). At most one per (pump, rule); in memory only, so after a restart a
   * returning condition raises a new alert.
   */
  private readonly recentByPump = new Map<string, Map<RuleId, Alert>>();
  private readonly states = new Map<string, PumpEngineState>();
  private readonly orders = new Map<string, StoredOrder>();
  /** Overrides set at run time through the API (stored, restored at start), on top of the config's. */
  private readonly runtimeParams = new Map<string, PumpParamsOverride>();
  /** Every pump's running numbers, side by side (pump-state.ts). */
  private readonly slab = new NumberSlab(1024);
  /**
   * The config file's per-pump overrides (`engine.pumps`), as a Map: looked up on the plain object, a
   * pump named `constructor` got Object's own constructor as its override and crashed the server (#11).
   */
  private readonly configParams: ReadonlyMap<string, DeepPartial<EngineParams>>;

  /**
   * The parameters of every pump without an override of its own, resolved once and shared: one copy
   * per pump cost ~2 KB each and a cache miss per sample across 10,000 pumps (npm run bench:engine).
   */
  private readonly sharedParams: EngineParams;

  constructor(private readonly options: EngineCoreOptions) {
    this.sharedParams = resolveParams(options.params);
    this.configParams = new Map(Object.entries(options.pumpParams ?? {}));
  }

  /** `serverNow` is only for escalation timers; rules use the sample's own `ts`. */
  onSample(hubId: string, pumpId: string, sample: TelemetrySample, serverNow: number): AlertTransition[] {
    const state = this.state(pumpId);
    if (!evaluateSample(state, sample)) return NO_TRANSITIONS;
    return reconcile(
      this.openByPump.get(pumpId) ?? NO_ALERTS,
      describeConditions(state, sample),
      sampleRuleIds,
      {
        hubId,
        pumpId,
        eventTime: sample.ts,
        serverNow,
        idSuffix: sample.seq,
        policy: this.options.policy,
        ...this.reopening(pumpId, state.params),
      },
    );
  }

  checkLiveness(hubId: string, pumpId: string, input: LivenessInput, now: number): AlertTransition[] {
    const params = this.state(pumpId).params;
    const conditions = livenessConditions(input, now, params);
    return reconcile(this.openByPump.get(pumpId) ?? NO_ALERTS, conditions, livenessRuleIds, {
      hubId,
      pumpId,
      eventTime: now,
      serverNow: now,
      idSuffix: now,
      policy: this.options.policy,
      ...this.reopening(pumpId, params),
    });
  }

  /** The care rules (engine/care-rules.ts) on the server clock. */
  checkCare(hubId: string, pumpId: string, input: CareRuleInput, now: number): AlertTransition[] {
    const params = this.state(pumpId).params;
    const conditions = careConditions(input, now, params);
    return reconcile(this.openByPump.get(pumpId) ?? NO_ALERTS, conditions, careRuleIds, {
      hubId,
      pumpId,
      eventTime: now,
      serverNow: now,
      idSuffix: now,
      policy: this.options.policy,
      ...this.reopening(pumpId, params),
    });
  }

  /**
   * An alarm the ward raises about something other than a pump's samples (the paging engine's
   * nobody_reachable, for a care team): the condition now, or null when it no longer holds.
   */
  checkExternal(
    hubId: string,
    subjectId: string,
    rule: RuleId,
    condition: Condition | null,
    now: number,
  ): AlertTransition[] {
    const conditions = new Map<RuleId, Condition>(condition ? [[rule, condition]] : []);
    return reconcile(this.openByPump.get(subjectId) ?? NO_ALERTS, conditions, [rule], {
      hubId,
      pumpId: subjectId,
      eventTime: now,
      serverNow: now,
      idSuffix: now,
      policy: this.options.policy,
      ...this.reopening(subjectId, this.sharedParams),
    });
  }

  /**
   * A planned pause of a pump (a shower, a dressing change): unexpected_stop stays quiet until `until`
   * and is judged again by the next sample. Null ends it.
   */
  setPause(pumpId: string, until: number | null): void {
    const state = this.state(pumpId);
    state.pauseUntil = until ?? Number.NEGATIVE_INFINITY;
    state.forceReconcile = true;
  }

  escalations(now: number): AlertTransition[] {
    const transitions: AlertTransition[] = [];
    for (const alert of this.openById.values())
      transitions.push(...escalate(alert, now, this.options.policy));
    return transitions;
  }

  /** Makes a transition's alert the current one (or forgets it once resolved). */
  apply(alert: Alert): void {
    if (alert.status === 'resolved') {
      this.openByPump.get(alert.pumpId)?.delete(alert.rule);
      this.openById.delete(alert.id);
      let recent = this.recentByPump.get(alert.pumpId);
      if (!recent) {
        recent = new Map();
        this.recentByPump.set(alert.pumpId, recent);
      }
      recent.set(alert.rule, alert);
      return;
    }
    this.recentByPump.get(alert.pumpId)?.delete(alert.rule);
    let perRule = this.openByPump.get(alert.pumpId);
    if (!perRule) {
      perRule = new Map();
      this.openByPump.set(alert.pumpId, perRule);
    }
    perRule.set(alert.rule, alert);
    this.openById.set(alert.id, alert);
  }

  /** What reconcile needs to reopen a pump's recently resolved alerts (none: it raises new ones). */
  private reopening(
    pumpId: string,
    params: EngineParams,
  ): Pick<ReconcileContext, 'recent' | 'reopenWithinMs'> {
    const recent = this.recentByPump.get(pumpId);
    if (!recent || recent.size === 0) return {};
    return { recent, reopenWithinMs: (rule) => reopenWithinMs(params, rule) };
  }

  open(alertId: string): Alert | undefined {
    return this.openById.get(alertId);
  }

  openAlerts(): IterableIterator<Alert> {
    return this.openById.values();
  }

  openAlertsOf(pumpId: string): IterableIterator<Alert> {
    return (this.openByPump.get(pumpId) ?? NO_ALERTS).values();
  }

  /**
   * A pump's parameters as they would be with `override` as its runtime override (the admin API): the
   * defaults, then the config file's global and per-pump overrides, then this. Throws CONFIG_INVALID
   * with every bad path, so a caller can validate before storing anything.
   */
  resolvePumpParams(pumpId: string, override: PumpParamsOverride | null): EngineParams {
    const fromConfig = this.configParams.get(pumpId);
    if (!fromConfig && !override) return this.sharedParams;
    return resolveParams(this.options.params, fromConfig, override ?? undefined);
  }

  /** Replaces (or, with null, removes) a pump's runtime override; the next sample is judged by it. */
  setPumpParams(pumpId: string, override: PumpParamsOverride | null): void {
    const params = this.resolvePumpParams(pumpId, override);
    if (override) this.runtimeParams.set(pumpId, override);
    else this.runtimeParams.delete(pumpId);
    const state = this.states.get(pumpId);
    if (state) {
      state.params = params;
      state.forceReconcile = true;
    }
  }

  /** The parameters in force for a pump. */
  paramsOf(pumpId: string): EngineParams {
    return this.states.get(pumpId)?.params ?? this.resolvePumpParams(pumpId, this.pumpOverride(pumpId));
  }

  /** The runtime override of a pump, if an admin set one. */
  pumpOverride(pumpId: string): PumpParamsOverride | null {
    return this.runtimeParams.get(pumpId) ?? null;
  }

  setOrder(pumpId: string, order: StoredOrder | null): void {
    if (order) this.orders.set(pumpId, order);
    else this.orders.delete(pumpId);
    const state = this.states.get(pumpId);
    if (state) {
      state.order = order;
      state.forceReconcile = true;
    }
  }

  order(pumpId: string): StoredOrder | null {
    return this.orders.get(pumpId) ?? null;
  }

  /** Engine state of a pump, created with its resolved parameters on first use. */
  state(pumpId: string): PumpEngineState {
    let state = this.states.get(pumpId);
    if (!state) {
      const params = this.resolvePumpParams(pumpId, this.pumpOverride(pumpId));
      state = new PumpEngineState(params, this.orders.get(pumpId) ?? null, this.slab);
      this.states.set(pumpId, state);
    }
    return state;
  }
}
