import type { Alert, HubStatus, PumpLink, PumpView, StoredOrder, TelemetrySample } from '@pumpwatch/protocol';
import { worstFirst } from '../alerts/alert-order.js';
import type { Condition } from '../alerts/engine/describe.js';
import { DoseTracker } from '../alerts/engine/dose-tracker.js';
import { HUB_SILENT_AFTER_MS } from '../alerts/engine/liveness.js';
import type { DeepPartial, EngineParams } from '../alerts/engine/params.js';
import { EngineCore, type PumpParamsOverride } from '../alerts/engine-core.js';
import { type AlertTransition, acknowledge, type EscalationPolicy, snooze } from '../alerts/lifecycle.js';
import { HubIndex } from '../pumps/hub-index.js';
import { type PumpRecord, PumpRegistry } from '../pumps/pump-registry.js';
import type { StoredPumpParams, StoredSample } from '../store/ports.js';
import { EffectsBuilder, NO_EFFECTS, type Refusal, type WardEffects } from './effects.js';
import { PumpCare, type PumpCareInterval } from './pump-care.js';

export interface WardCoreOptions {
  params: EngineParams;
  /** Per-pump parameter overrides (server config `engine.pumps`). */
  pumpParams?: Record<string, DeepPartial<EngineParams>>;
  policy: EscalationPolicy;
}

/** A sample already seen (same pump, same seq): counted, otherwise ignored. */
export interface Duplicate {
  readonly duplicate: true;
}

export type SampleOutcome = WardEffects | Refusal | Duplicate;

const DUPLICATE: Duplicate = { duplicate: true };
const NOT_OWNED: Refusal = { refused: 'pump_not_owned' };

/**
 * A pump heard from within this long, on a hub that is up, cannot have a liveness condition (pump_offline
 * needs max(3 × interval, 30 s) of silence by default), so the liveness tick skips it. Measured: checking
 * every pump every second was a quarter of the server's CPU at 10,000 pumps and a ~50 ms stall of the
 * event loop each second (docs/benchmarks.md). A per-pump pumpOfflineAfterMs below this acts as this.
 */
export const LIVENESS_SKIP_WITHIN_MS = 2000;

/** The hub id of alarms about pumpwatch itself rather than a pump (nobody_reachable). */
export const SYSTEM_HUB_ID = 'pumpwatch';

/** The care rules (dose_missed…) are checked this often: they count in minutes, not seconds. */
export const CARE_CHECK_EVERY_MS = 5000;

/** Without a schedule to halve, a pump resting this long before infusing again starts a new dose. */
const DEFAULT_REST_GAP_MS = 30 * 60_000;

/**
 * The ward: every pump and hub, their duplicate detection and liveness, and the alert engine, in memory
 * and pure — no clock, I/O or logger. Messages, ticks (with the time) and settings go in; effects come
 * out (store this sample, these alert transitions, these pumps changed) for the shell to carry out. The
 * server, replay, the scenario report and the benchmarks all drive this one class.
 */
export class WardCore {
  private readonly registry: PumpRegistry;
  private readonly engine: EngineCore;
  private readonly hubIndex = new HubIndex();
  /** Rule settings made through the API, with who made them (the engine keeps only the overrides). */
  private readonly paramSettings = new Map<string, StoredPumpParams>();
  /** Each pump's assignments to therapies (docs/care.md); a pump without any is unassigned. */
  private readonly care = new Map<string, PumpCare>();
  /** Orders set on the pump itself (`PUT /api/pumps/{id}/order`); a current therapy's order wins. */
  private readonly pumpOrders = new Map<string, StoredOrder>();
  /** Dose starts per pump, fed while patients are in use (the care rules read them). */
  private readonly doses = new Map<string, DoseTracker>();
  /** Planned pauses in force, by pump: their end (event time). */
  private readonly pauses = new Map<string, number>();
  private lastCareCheck = Number.NEGATIVE_INFINITY;
  private readonly lastOnline = new Map<string, boolean>();
  /** Pumps whose last liveness check saw them silent or their hub down: checked until they are clear. */
  private readonly livenessWatch = new Set<string>();
  /** The first tick covers every pump, so alerts restored from the store are reconciled. */
  private livenessPrimed = false;

  constructor(options: WardCoreOptions) {
    this.registry = new PumpRegistry(options.params.liveness.pumpOfflineAfterMs);
    this.engine = new EngineCore({
      params: options.params,
      policy: options.policy,
      ...(options.pumpParams ? { pumpParams: options.pumpParams } : {}),
    });
  }

  // --- Restore: what the store held, before the first message ---------------------------------------

  /** A pump's newest stored sample; its owner is that sample's hub. Throws if another hub owns it. */
  restorePump(row: StoredSample, now: number): void {
    const record = this.ownedPump(row.hubId, row.pumpId);
    if (!record) throw new Error(`pump ${row.pumpId} is owned by another hub than ${row.hubId}`);
    record.latest = row.sample;
    // A restart is not evidence that the pump spoke: liveness counts from the last sample stored.
    record.lastSeen = Math.min(row.receivedAt, now);
  }

  /**
   * Seqs seen before the restart (of the pump's current epoch), so a gateway's resend is not counted
   * twice. Unknown pumps are skipped.
   */
  restoreSeq(pumpId: string, seq: number, epoch?: string): void {
    const record = this.registry.pump(pumpId);
    if (!record) return;
    record.epoch = epoch;
    record.seqs.mark(seq);
  }

  restoreAlert(alert: Alert): void {
    this.engine.apply(alert);
  }

  // --- Messages -------------------------------------------------------------------------------------

  /** `now` is the server clock at arrival; the rules use the sample's own `ts`. */
  onSample(hubId: string, pumpId: string, sample: TelemetrySample, now: number): SampleOutcome {
    const record = this.ownedPump(hubId, pumpId);
    if (!record) return NOT_OWNED;
    if (sample.epoch !== record.epoch) {
      // The hub's store started afresh (its seqs restart at 0): a new duplicate window, not a flood of
      // "duplicates". A hub without epochs never changes its undefined one.
      record.epoch = sample.epoch;
      record.seqs.reset();
    }
    if (!record.seqs.mark(sample.seq)) return DUPLICATE;
    record.lastSeen = now;
    // The newest sample is the one the pump sent last: a higher seq, or (after a hub's counter restarted)
    // a later ts. By ts alone, one sample stamped ahead by a clock fault froze `latest` until real time
    // caught up with it; a resent older sample (lower seq and ts) still never replaces it.
    if (!record.latest || sample.seq > record.latest.seq || sample.ts >= record.latest.ts)
      record.latest = sample;
    this.noteHeard(hubId, now);
    if (this.care.size > 0) this.doseTracker(pumpId).onSample(sample);
    const transitions = this.applied(this.engine.onSample(hubId, pumpId, sample, now));
    return { store: { hubId, pumpId, receivedAt: now, sample }, transitions, changed: [pumpId] };
  }

  /** A hub's Last Will raises hub_offline at once, and its return clears it, without waiting a tick. */
  onHubStatus(hubId: string, status: HubStatus, now: number): WardEffects {
    this.registry.setHubStatus(hubId, status.online, now, status.version);
    const effects = new EffectsBuilder();
    for (const pumpId of this.hubIndex.pumpsOf(hubId)) {
      effects.change(pumpId);
      const record = this.registry.pump(pumpId);
      if (record) this.checkPumpLiveness(record, now, true, effects);
    }
    return effects.build();
  }

  onPumpLink(hubId: string, pumpId: string, link: PumpLink): WardEffects | Refusal {
    const record = this.ownedPump(hubId, pumpId);
    if (!record) return NOT_OWNED;
    record.link = link.state;
    return { transitions: NO_EFFECTS.transitions, changed: [pumpId] };
  }

  /**
   * The server clock's tick (every second): escalation timers, then liveness, which silence alone
   * cannot trigger. Escalation failing stops not liveness, nor one pump's check the others (issue #11):
   * each failure goes to `onError` (with the pump's id for a liveness check) and the tick goes on.
   */
  tick(now: number, onError?: (error: unknown, pumpId?: string) => void): WardEffects {
    const effects = new EffectsBuilder();
    try {
      effects.addTransitions(this.applied(this.engine.escalations(now)));
    } catch (error) {
      if (!onError) throw error;
      onError(error);
    }
    if (this.care.size > 0 && now - this.lastCareCheck >= CARE_CHECK_EVERY_MS) {
      this.lastCareCheck = now;
      this.checkCare(now, effects, onError);
    }
    const everyPump = !this.livenessPrimed;
    this.livenessPrimed = true;
    for (const record of this.registry.allPumps()) {
      try {
        this.checkPumpLiveness(record, now, everyPump, effects);
      } catch (error) {
        if (!onError) throw error;
        onError(error, record.pumpId);
      }
    }
    return effects.build();
  }

  // --- People's actions -----------------------------------------------------------------------------

  /** `null` when the alert is not open (resolved, or never existed): the shell looks in the store. */
  acknowledge(alertId: string, by: string, now: number): WardEffects | null {
    return this.act(alertId, (alert) => acknowledge(alert, by, now));
  }

  snooze(alertId: string, by: string, durationMs: number, now: number): WardEffects | null {
    return this.act(alertId, (alert) => snooze(alert, by, durationMs, now));
  }

  /** The prescribed order of a pump; its next sample re-evaluates order_mismatch against it. */
  setOrder(pumpId: string, order: StoredOrder | null): WardEffects {
    if (order) this.pumpOrders.set(pumpId, order);
    else this.pumpOrders.delete(pumpId);
    this.engine.setOrder(pumpId, this.effectiveOrder(pumpId));
    return { transitions: NO_EFFECTS.transitions, changed: [pumpId] };
  }

  /**
   * A pump's assignment history, oldest first, replacing what the ward knew. Alerts raised from now on
   * carry the patient and therapy of the interval holding their time; `order_mismatch` checks the
   * current therapy's order (or, unassigned, the pump's own).
   */
  setPumpCare(pumpId: string, intervals: readonly PumpCareInterval[]): WardEffects {
    if (intervals.length === 0) this.care.delete(pumpId);
    else this.care.set(pumpId, new PumpCare([...intervals].sort((a, b) => a.from - b.from)));
    this.engine.setOrder(pumpId, this.effectiveOrder(pumpId));
    return { transitions: NO_EFFECTS.transitions, changed: [pumpId] };
  }

  /**
   * A planned pause of the pump until `until` (null ends it): unexpected_stop stays quiet until then
   * and raises if the pump is still stopped after it (docs/care.md#planned-pauses).
   */
  setPause(pumpId: string, until: number | null): WardEffects {
    if (until === null) this.pauses.delete(pumpId);
    else this.pauses.set(pumpId, until);
    this.engine.setPause(pumpId, until);
    return { transitions: NO_EFFECTS.transitions, changed: [pumpId] };
  }

  /**
   * A care team none of whose alerts reach anyone (the paging engine decides): a high nobody_reachable
   * alert on every console, raised once per team and resolved when `condition` is null.
   */
  setTeamUnreachable(teamId: string, condition: Condition | null, now: number): WardEffects {
    const effects = new EffectsBuilder();
    effects.addTransitions(
      this.applied(this.engine.checkExternal(SYSTEM_HUB_ID, teamId, 'nobody_reachable', condition, now)),
    );
    return effects.build();
  }

  /** The end of the pump's planned pause, if one is in force at `now`. */
  pauseUntil(pumpId: string, now: number): number | null {
    const until = this.pauses.get(pumpId);
    return until !== undefined && until > now ? until : null;
  }

  /**
   * The parameters a pump would run on with `overrides` as its rule setting. Throws CONFIG_INVALID (with
   * every bad path) without changing anything: validate before storing.
   */
  checkPumpParams(pumpId: string, overrides: PumpParamsOverride): EngineParams {
    return this.engine.resolvePumpParams(pumpId, overrides);
  }

  /** Replaces or (null) removes a pump's rule setting; its next sample is judged by it. */
  setPumpParams(pumpId: string, setting: StoredPumpParams | null): WardEffects {
    this.engine.setPumpParams(pumpId, setting?.overrides ?? null);
    if (setting) this.paramSettings.set(pumpId, setting);
    else this.paramSettings.delete(pumpId);
    return NO_EFFECTS;
  }

  /**
   * An admin's move of a known pump to another hub (`PUT /api/pumps/{id}/hub`): the hub it was on, or
   * `undefined` for an unknown pump. Seqs start afresh: they are the gateway's own counter.
   */
  movePump(pumpId: string, hubId: string): { from: string; effects: WardEffects } | undefined {
    const from = this.registry.movePump(pumpId, hubId);
    if (from === undefined) return undefined;
    this.ownedPump(hubId, pumpId);
    return { from, effects: { transitions: NO_EFFECTS.transitions, changed: [pumpId] } };
  }

  // --- Queries --------------------------------------------------------------------------------------

  views(now: number): PumpView[] {
    return [...this.registry.allPumps()].map((record) => this.viewOf(record, now));
  }

  view(pumpId: string, now: number): PumpView | undefined {
    const record = this.registry.pump(pumpId);
    return record ? this.viewOf(record, now) : undefined;
  }

  openAlert(alertId: string): Alert | undefined {
    return this.engine.open(alertId);
  }

  /** Every open alert, worst first. */
  openAlerts(): Alert[] {
    return [...this.engine.openAlerts()].sort(worstFirst);
  }

  openAlertsOf(pumpId: string): Alert[] {
    return [...this.engine.openAlertsOf(pumpId)].sort(worstFirst);
  }

  /** The order in force: the current therapy's, else the pump's own. */
  order(pumpId: string): StoredOrder | null {
    return this.engine.order(pumpId);
  }

  /** The order set on the pump itself, whether or not a therapy's overrides it now. */
  pumpOrder(pumpId: string): StoredOrder | null {
    return this.pumpOrders.get(pumpId) ?? null;
  }

  /** A pump's rule setting (null when none was set through the API) and the parameters in force. */
  pumpParams(pumpId: string): { setting: StoredPumpParams | null; effective: EngineParams } {
    return { setting: this.paramSettings.get(pumpId) ?? null, effective: this.engine.paramsOf(pumpId) };
  }

  // --- Inside ---------------------------------------------------------------------------------------

  private act(alertId: string, action: (alert: Alert) => AlertTransition[]): WardEffects | null {
    const alert = this.engine.open(alertId);
    if (!alert) return null;
    const effects = new EffectsBuilder();
    effects.addTransitions(this.applied(action(alert)));
    return effects.build();
  }

  /**
   * Makes each transition's alert the current one, so the next input sees it. A raised alert first gets
   * the patient and therapy the pump was assigned to at its time, kept with it from then on.
   */
  private applied(transitions: AlertTransition[]): AlertTransition[] {
    for (let i = 0; i < transitions.length; i += 1) {
      const transition = transitions[i] as AlertTransition;
      if (transition.type === 'raised' && transition.alert.patient === undefined)
        this.attachCare(transition.alert);
      this.engine.apply(transition.alert);
    }
    return transitions;
  }

  private attachCare(alert: Alert): void {
    const interval = this.care.get(alert.pumpId)?.at(alert.raisedAt);
    alert.patient = interval?.snapshot.patient ?? null;
    alert.therapy = interval?.snapshot.therapy ?? null;
  }

  /** The care rules of every pump, each pump's failure contained as liveness's is. */
  private checkCare(
    now: number,
    effects: EffectsBuilder,
    onError?: (error: unknown, pumpId?: string) => void,
  ): void {
    for (const record of this.registry.allPumps()) {
      try {
        const interval = this.care.get(record.pumpId)?.current();
        const doses = this.doseTracker(record.pumpId);
        if (interval?.schedule) doses.setRestGap((interval.schedule.everyHours * 3_600_000) / 2);
        const input = {
          careInUse: true,
          latest: record.latest,
          doses,
          ...(interval
            ? {
                current: {
                  from: interval.from,
                  active: interval.active,
                  schedule: interval.schedule,
                  endsAt: interval.endsAt,
                },
              }
            : {}),
        };
        effects.addTransitions(this.applied(this.engine.checkCare(record.hubId, record.pumpId, input, now)));
      } catch (error) {
        if (!onError) throw error;
        onError(error, record.pumpId);
      }
    }
  }

  private doseTracker(pumpId: string): DoseTracker {
    let tracker = this.doses.get(pumpId);
    if (!tracker) {
      const schedule = this.care.get(pumpId)?.current()?.schedule;
      tracker = new DoseTracker(schedule ? (schedule.everyHours * 3_600_000) / 2 : DEFAULT_REST_GAP_MS);
      this.doses.set(pumpId, tracker);
    }
    return tracker;
  }

  private effectiveOrder(pumpId: string): StoredOrder | null {
    const current = this.care.get(pumpId)?.current();
    return current?.order ?? this.pumpOrders.get(pumpId) ?? null;
  }

  /**
   * Liveness of one pump: skipped while it is plainly alive (heard within LIVENESS_SKIP_WITHIN_MS, its hub
   * up) unless `force`d or it was suspect at the last check; also notes online/offline for the frames.
   */
  private checkPumpLiveness(record: PumpRecord, now: number, force: boolean, effects: EffectsBuilder): void {
    const hub = this.registry.hub(record.hubId);
    const suspect =
      record.lastSeen === null ||
      now - record.lastSeen > LIVENESS_SKIP_WITHIN_MS ||
      (hub !== undefined && (!hub.online || now - hub.lastStatusAt > HUB_SILENT_AFTER_MS));
    if (force || suspect || this.livenessWatch.has(record.pumpId)) {
      const input = {
        latest: record.latest,
        lastSeen: record.lastSeen,
        ...(hub ? { hub: { online: hub.online, lastHeardAt: hub.lastStatusAt } } : {}),
      };
      effects.addTransitions(
        this.applied(this.engine.checkLiveness(record.hubId, record.pumpId, input, now)),
      );
      // One more check after a pump clears, so the alert it had is resolved (or latched).
      if (suspect) this.livenessWatch.add(record.pumpId);
      else this.livenessWatch.delete(record.pumpId);
    }
    const online = this.registry.isPumpOnline(record, now);
    if (online !== this.lastOnline.get(record.pumpId)) {
      this.lastOnline.set(record.pumpId, online);
      effects.change(record.pumpId);
    }
  }

  /** The registry's record (null if another hub owns it), with the hub → pumps index kept up to date. */
  private ownedPump(hubId: string, pumpId: string): PumpRecord | null {
    const record = this.registry.ensurePump(hubId, pumpId);
    if (record) this.hubIndex.bind(pumpId, hubId);
    return record;
  }

  /** Any message from a hub proves it is alive, not only its heartbeat. */
  private noteHeard(hubId: string, now: number): void {
    const hub = this.registry.hub(hubId);
    if (hub?.online) hub.lastStatusAt = now;
  }

  private viewOf(record: PumpRecord, now: number): PumpView {
    const view = this.registry.view(record, this.openAlertsOf(record.pumpId), now);
    view.order = this.engine.order(record.pumpId);
    view.care = this.care.get(record.pumpId)?.current()?.snapshot ?? null;
    const pausedUntil = this.pauseUntil(record.pumpId, now);
    if (pausedUntil !== null) view.plannedPauseUntil = pausedUntil;
    return view;
  }
}
