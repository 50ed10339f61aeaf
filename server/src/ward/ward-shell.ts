import type {
  Alert,
  AlertStatus,
  HubStatus,
  IngestRejectReason,
  PumpLink,
  PumpView,
  ServerFrame,
  StoredOrder,
  TelemetrySample,
} from '@pumpwatch/protocol';
import type { Condition } from '../alerts/engine/describe.js';
import type { EngineParams } from '../alerts/engine/params.js';
import type { PumpParamsOverride } from '../alerts/engine-core.js';
import type { AlertTransition } from '../alerts/lifecycle.js';
import { PumpwatchError } from '../errors.js';
import { type ErrorSink, guarded } from '../guard.js';
import type { IngestStats } from '../ingest/ingest-stats.js';
import type { IngestHandlers } from '../ingest/telemetry-ingest.js';
import type {
  AlertStore,
  OrderStore,
  PumpParamsStore,
  RecentSeq,
  SampleStore,
  StoredPumpParams,
} from '../store/ports.js';
import { Quarantine } from '../store/quarantine.js';
import { isRefusal, type WardEffects } from './effects.js';
import type { EventBus } from './event-bus.js';
import type { PumpCareInterval } from './pump-care.js';
import type { WardCore } from './ward-core.js';
import type { WardEvents } from './ward-events.js';

export interface WardShellDeps {
  core: WardCore;
  samples: SampleStore;
  alerts: AlertStore;
  orders: OrderStore;
  pumpParams: PumpParamsStore;
  bus: EventBus<WardEvents>;
  stats: IngestStats;
  now: () => number;
  /** A timer's or one pump's exception (counted in /api/health); never thrown to the timer. */
  onError: ErrorSink;
  /** A transition that could not be stored (`alertErrors` in /api/health); it was announced all the same. */
  onAlertError: (error: unknown) => void;
}

/** Most resolved alerts `list` returns. */
const LIST_LIMIT = 10_000;

/**
 * The only code that carries out the ward core's effects: it stores samples, persists alert transitions
 * and settings, and announces on the bus, where the WebSocket, the pump frames and the notifiers listen.
 * Gives the core the server clock (its tick, every second) and reads the store back into it at start.
 */
export class WardShell implements IngestHandlers {
  private timer: NodeJS.Timeout | undefined;
  private lastTick: number | null = null;

  constructor(private readonly deps: WardShellDeps) {}

  /**
   * Rebuilds the ward from the store after a restart: orders, rule settings, open alerts (an ongoing
   * condition raises no duplicate), pumps and their recent seqs. A stored record that fails its schema
   * or its restore is quarantined, never fatal (issue #11). A rule setting that no longer validates (the
   * config changed under it) is returned, so the caller can say so loudly: that pump runs on the config.
   * The orders restored are returned too, for the care records to migrate (care/migrate-orders.ts).
   */
  async restore(quarantine: Quarantine = new Quarantine()): Promise<{
    openAlerts: number;
    /** The seqs restored into duplicate detection, for the commit watermarks (server/src/confirm). */
    seqs: RecentSeq[];
    rejectedSettings: Array<{ pumpId: string; error: unknown }>;
    orders: StoredOrder[];
  }> {
    const { core, samples, alerts, orders, pumpParams, now } = this.deps;
    const restoredOrders: StoredOrder[] = [];
    for (const order of quarantine.filter('orders', await orders.all(quarantine.badRows('orders')))) {
      quarantine.attempt('orders', order.pumpId, () => {
        core.setOrder(order.pumpId, order);
        restoredOrders.push(order);
      });
    }
    const rejectedSettings: Array<{ pumpId: string; error: unknown }> = [];
    const settings = await pumpParams.all(quarantine.badRows('params'));
    for (const setting of quarantine.filter('params', settings)) {
      try {
        core.setPumpParams(setting.pumpId, setting);
      } catch (error) {
        rejectedSettings.push({ pumpId: setting.pumpId, error });
        quarantine.note('params', setting.pumpId, error);
      }
    }
    let openAlerts = 0;
    for (const alert of quarantine.filter('alerts', await alerts.unresolved(quarantine.badRows('alerts')))) {
      quarantine.attempt('alerts', alert.id, () => {
        core.restoreAlert(alert);
        openAlerts += 1;
      });
    }
    const latest = await samples.latestPerPump(quarantine.badRows('samples'));
    for (const row of quarantine.filter('samples', latest)) {
      quarantine.attempt('samples', row.pumpId, () => core.restorePump(row, now()));
    }
    // Only pumps restored above are looked up: a quarantined pump's seqs find no record.
    const seqs = await samples.recentSeqs(65_536);
    for (const { pumpId, seq, epoch } of seqs) core.restoreSeq(pumpId, seq, epoch);
    return { openAlerts, seqs, rejectedSettings, orders: restoredOrders };
  }

  start(tickMs = 1000): void {
    // An exception thrown in a timer ends the process (issue #11): the tick is guarded.
    this.timer = setInterval(
      guarded('ward/tick', () => this.tick(), this.deps.onError),
      tickMs,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Escalation and liveness on the server clock; one pump failing stops neither the others nor the tick. */
  tick(): void {
    this.lastTick = this.deps.now();
    const effects = this.deps.core.tick(this.deps.now(), (error, pumpId) =>
      pumpId === undefined
        ? this.deps.onError('ward/escalation', error)
        : this.deps.onError('ward/liveness-pump', error, { pumpId }),
    );
    this.carryOut(effects);
  }

  /** Server time of the last tick: a stuck engine stops the heartbeat (confirm/heartbeat.ts). */
  get lastTickAt(): number | null {
    return this.lastTick;
  }

  // --- Messages from the hubs (IngestHandlers) -------------------------------------------------------

  onSample(hubId: string, pumpId: string, sample: TelemetrySample): IngestRejectReason | undefined {
    const outcome = this.deps.core.onSample(hubId, pumpId, sample, this.deps.now());
    if ('duplicate' in outcome) {
      this.deps.stats.duplicates += 1;
      return undefined;
    }
    if (isRefusal(outcome)) return outcome.refused;
    this.deps.stats.accepted += 1;
    this.carryOut(outcome);
    return undefined;
  }

  onHubStatus(hubId: string, status: HubStatus): void {
    this.carryOut(this.deps.core.onHubStatus(hubId, status, this.deps.now()));
  }

  onPumpLink(hubId: string, pumpId: string, link: PumpLink): IngestRejectReason | undefined {
    const outcome = this.deps.core.onPumpLink(hubId, pumpId, link);
    if (isRefusal(outcome)) return outcome.refused;
    this.carryOut(outcome);
    return undefined;
  }

  // --- People's actions: resolve once stored, so the caller gets the store's error -------------------

  async acknowledge(alertId: string, by: string): Promise<Alert> {
    return this.act(alertId, this.deps.core.acknowledge(alertId, by, this.deps.now()));
  }

  async snooze(alertId: string, by: string, durationMs: number): Promise<Alert> {
    return this.act(alertId, this.deps.core.snooze(alertId, by, durationMs, this.deps.now()));
  }

  async setOrder(order: StoredOrder): Promise<void> {
    await this.deps.orders.put(order);
    this.carryOut(this.deps.core.setOrder(order.pumpId, order));
  }

  /** False when the pump had no order. */
  async deleteOrder(pumpId: string): Promise<boolean> {
    if (!(await this.deps.orders.delete(pumpId))) return false;
    this.carryOut(this.deps.core.setOrder(pumpId, null));
    return true;
  }

  /** Validate with `checkPumpParams` first: a setting that does not resolve throws after it is stored. */
  async setPumpParams(setting: StoredPumpParams): Promise<void> {
    await this.deps.pumpParams.put(setting);
    this.carryOut(this.deps.core.setPumpParams(setting.pumpId, setting));
  }

  async deletePumpParams(pumpId: string): Promise<boolean> {
    if (!(await this.deps.pumpParams.delete(pumpId))) return false;
    this.carryOut(this.deps.core.setPumpParams(pumpId, null));
    return true;
  }

  /**
   * A pump's assignment history as the care directory has it now (server/src/care): alerts raised from
   * now on name the patient and therapy, and the pump's frame shows them. Nothing is stored here: the
   * care store is the record, and it feeds this again at every start.
   */
  setPumpCare(pumpId: string, intervals: readonly PumpCareInterval[]): void {
    this.carryOut(this.deps.core.setPumpCare(pumpId, intervals));
  }

  /** A planned pause until `until` (null ends it); the care service stores and audits it. */
  setPause(pumpId: string, until: number | null): void {
    this.carryOut(this.deps.core.setPause(pumpId, until));
  }

  /** Raises (or, with null, resolves) a care team's nobody_reachable alert (ward-core.ts). */
  setTeamUnreachable(teamId: string, condition: Condition | null): void {
    this.carryOut(this.deps.core.setTeamUnreachable(teamId, condition, this.deps.now()));
  }

  /** The hub the pump was on, or `undefined` for an unknown pump. */
  movePump(pumpId: string, hubId: string): string | undefined {
    const moved = this.deps.core.movePump(pumpId, hubId);
    if (!moved) return undefined;
    this.carryOut(moved.effects);
    return moved.from;
  }

  // --- Queries --------------------------------------------------------------------------------------

  views(): PumpView[] {
    return this.deps.core.views(this.deps.now());
  }

  view(pumpId: string): PumpView | undefined {
    return this.deps.core.view(pumpId, this.deps.now());
  }

  /** The first frame of every WebSocket client. */
  snapshot(): ServerFrame {
    return {
      type: 'snapshot',
      pumps: this.views(),
      alerts: this.deps.core.openAlerts(),
      serverTime: this.deps.now(),
    };
  }

  openAlerts(): Alert[] {
    return this.deps.core.openAlerts();
  }

  openAlert(alertId: string): Alert | undefined {
    return this.deps.core.openAlert(alertId);
  }

  /** The order in force: the current therapy's, else the pump's own. */
  order(pumpId: string): StoredOrder | null {
    return this.deps.core.order(pumpId);
  }

  /** The order set on the pump itself (`PUT /api/pumps/{id}/order`). */
  pumpOrder(pumpId: string): StoredOrder | null {
    return this.deps.core.pumpOrder(pumpId);
  }

  checkPumpParams(pumpId: string, overrides: PumpParamsOverride): EngineParams {
    return this.deps.core.checkPumpParams(pumpId, overrides);
  }

  pumpParams(pumpId: string): { setting: StoredPumpParams | null; effective: EngineParams } {
    return this.deps.core.pumpParams(pumpId);
  }

  /** Open alerts come from memory (worst first); resolved ones only the store has. */
  async listAlerts(status: AlertStatus | 'all' | undefined): Promise<Alert[]> {
    if (status === undefined) return this.openAlerts();
    if (status === 'active' || status === 'acknowledged') {
      return this.openAlerts().filter((alert) => alert.status === status);
    }
    return this.deps.alerts.list(status, LIST_LIMIT);
  }

  // --- Carrying out ---------------------------------------------------------------------------------

  private async act(alertId: string, effects: WardEffects | null): Promise<Alert> {
    if (!effects) {
      const stored = await this.deps.alerts.get(alertId);
      if (!stored) throw new PumpwatchError('ALERT_NOT_FOUND', `no alert with id ${alertId}`);
      return stored;
    }
    const saved = this.carryOut(effects);
    await Promise.all(saved);
    const last = effects.transitions.at(-1)?.alert;
    return last ?? (this.deps.core.openAlert(alertId) as Alert);
  }

  /**
   * Stores the sample, announces each transition, then persists it, then announces the changed pumps.
   *
   * A transition is announced before its commit, not after: a commit waits for the disk (an fsync,
   * ~10 ms here, and up to seconds behind a checkpoint or a failing disk), and an alert held back by the
   * disk, or never shown because its save failed, is a missed alert. Persisting first bought nothing in
   * return: a server killed before the commit loses the alert either way, and announced first the nurse
   * has at least seen it. The notifiers, listeners too, are told even when the save fails, for the same
   * reason. Returns the saves, for callers that wait (an acknowledgement over HTTP).
   */
  private carryOut(effects: WardEffects): Array<Promise<void>> {
    const { samples, alerts, bus } = this.deps;
    if (effects.store) samples.append(effects.store);
    const saves: Array<Promise<void>> = [];
    for (const transition of effects.transitions) {
      bus.emit('alert', transition);
      const save = alerts.save(transition.alert, eventOf(transition));
      save.catch(this.deps.onAlertError);
      saves.push(save);
    }
    if (effects.changed.length > 0) bus.emit('pumpsChanged', effects.changed);
    return saves;
  }
}

function eventOf(transition: AlertTransition) {
  const { alert } = transition;
  return {
    alertId: alert.id,
    type: transition.type,
    at: transition.at,
    actor: transition.actor,
    alert,
    ...(transition.details ? { details: transition.details } : {}),
  };
}
