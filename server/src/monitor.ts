import type { HubStatus, PumpLink, PumpView, ServerFrame, TelemetrySample } from '@pumpwatch/protocol';
import type { AlertService } from './alerts/alert-service.js';
import { HUB_SILENT_AFTER_MS } from './alerts/engine/liveness.js';
import type { IngestStats } from './ingest/ingest-stats.js';
import type { PumpRecord, PumpRegistry } from './pumps/pump-registry.js';
import type { SampleStore } from './store/ports.js';

/** How often due pump frames are sent (each pump at most once per `pumpFrameIntervalMs`). */
const PUMP_FRAME_FLUSH_MS = 50;
/**
 * Most event-loop time one flush spends on pump frames; pumps left over go out at the next flush. Without
 * it the pumps fell into step: all 10,000 sent in one block of ~100 ms every second, and an alert frame
 * arriving behind that block waited it out (npm run bench: a p99 spike every second).
 */
const PUMP_FRAME_BUDGET_MS = 8;
/**
 * Pumps per `pumps` frame. Each frame is one JSON.stringify for every client and one write to each: a
 * frame per pump cost one dashboard ~5.5 µs per pump (docs/benchmarks.md), and the browser copied its
 * pump map once per frame. A bounded batch keeps one frame's text (~0.5 KB a pump) and its
 * serialisation inside the flush's budget.
 */
const PUMP_FRAME_BATCH = 500;

export interface PumpMonitorDeps {
  registry: PumpRegistry;
  alerts: AlertService;
  samples: SampleStore;
  stats: IngestStats;
  now: () => number;
  broadcast: (frame: ServerFrame) => void;
  /** Pump frames go out at most once per pump per this interval (docs/api.md: once per second). */
  pumpFrameIntervalMs: number;
  /** Most pumps in one `pumps` frame (tests lower it). */
  pumpFrameBatch?: number;
}

/**
 * A pump heard from within this long, on a hub that is up, cannot have a liveness condition (pump_offline
 * needs max(3 × interval, 30 s) of silence by default), so the liveness tick skips it. Measured: checking
 * every pump every second was a quarter of the server's CPU at 10,000 pumps and a ~50 ms stall of the
 * event loop each second (docs/benchmarks.md). A per-pump pumpOfflineAfterMs below this acts as this.
 */
export const LIVENESS_SKIP_WITHIN_MS = 2000;

/**
 * Coordinates what happens to a valid message: dedup on (pump, seq), store, evaluate, announce. Also runs
 * the liveness check on a timer, since silence produces no message to react to.
 */
export class PumpMonitor {
  private readonly dirty = new Set<string>();
  private readonly lastPumpFrameAt = new Map<string, number>();
  private readonly lastOnline = new Map<string, boolean>();
  /** Pumps whose last liveness check saw them silent or their hub down: checked until they are clear. */
  private readonly livenessWatch = new Set<string>();
  /** The first check after start covers every pump, so alerts restored from the store are reconciled. */
  private livenessPrimed = false;
  /**
   * Pumps by hub, so a hub's status (a heartbeat every 15 s from every hub) touches that hub's pumps only:
   * it used to check liveness of every pump, O(hubs × pumps) per heartbeat period (docs/benchmarks.md).
   */
  private readonly pumpsOfHub = new Map<string, Set<string>>();
  private readonly hubOfPump = new Map<string, string>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: PumpMonitorDeps) {}

  /** Rebuilds the registry and duplicate detection from the store after a restart. */
  async restore(): Promise<void> {
    const { registry, samples, now } = this.deps;
    for (const row of await samples.latestPerPump()) {
      const record = this.ensurePump(row.hubId, row.pumpId);
      record.latest = row.sample;
      // Restart is not evidence that the pump spoke: liveness counts from the last sample we stored.
      record.lastSeen = Math.min(row.receivedAt, now());
    }
    for (const { pumpId, seq } of await samples.recentSeqs(65_536)) registry.pump(pumpId)?.seqs.mark(seq);
  }

  start(livenessIntervalMs = 1000): void {
    this.timers.push(setInterval(() => this.checkLiveness(), livenessIntervalMs));
    this.timers.push(
      setInterval(() => this.flushPumpFrames(), Math.min(PUMP_FRAME_FLUSH_MS, this.deps.pumpFrameIntervalMs)),
    );
    for (const timer of this.timers) timer.unref();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  onSample(hubId: string, pumpId: string, sample: TelemetrySample): void {
    const { stats } = this.deps;
    const record = this.ensurePump(hubId, pumpId);
    if (!record.seqs.mark(sample.seq)) {
      stats.duplicates += 1;
      return;
    }
    stats.accepted += 1;
    const now = this.deps.now();
    this.deps.samples.append({ hubId, pumpId, receivedAt: now, sample });
    record.lastSeen = now;
    if (!record.latest || sample.ts >= record.latest.ts) record.latest = sample;
    this.noteHeard(hubId, now);
    this.deps.alerts.onSample(hubId, pumpId, sample);
    this.dirty.add(pumpId);
  }

  onHubStatus(hubId: string, status: HubStatus): void {
    const { registry } = this.deps;
    registry.setHubStatus(hubId, status.online, this.deps.now(), status.version);
    const now = this.deps.now();
    for (const pumpId of this.pumpsOfHub.get(hubId) ?? []) {
      this.dirty.add(pumpId);
      const record = registry.pump(pumpId);
      // A hub's Last Will raises hub_offline at once, and its return clears it, without waiting a tick.
      if (record) this.checkPumpLiveness(record, now, true);
    }
  }

  onPumpLink(hubId: string, pumpId: string, link: PumpLink): void {
    const record = this.ensurePump(hubId, pumpId);
    record.link = link.state;
    this.dirty.add(pumpId);
  }

  markDirty(pumpId: string): void {
    this.dirty.add(pumpId);
  }

  views(): PumpView[] {
    const now = this.deps.now();
    return [...this.deps.registry.allPumps()].map((record) => this.viewOf(record, now));
  }

  view(pumpId: string): PumpView | undefined {
    const record = this.deps.registry.pump(pumpId);
    return record ? this.viewOf(record, this.deps.now()) : undefined;
  }

  snapshot(): ServerFrame {
    return {
      type: 'snapshot',
      pumps: this.views(),
      alerts: this.deps.alerts.openAlerts(),
      serverTime: this.deps.now(),
    };
  }

  checkLiveness(): void {
    this.deps.alerts.tick();
    const { registry } = this.deps;
    const now = this.deps.now();
    const everyPump = !this.livenessPrimed;
    this.livenessPrimed = true;
    for (const record of registry.allPumps()) this.checkPumpLiveness(record, now, everyPump);
  }

  /**
   * Liveness of one pump: skipped while it is plainly alive (heard within LIVENESS_SKIP_WITHIN_MS, its hub
   * up) unless `force`d or it was suspect at the last check; also notes online/offline for the frames.
   */
  private checkPumpLiveness(record: PumpRecord, now: number, force: boolean): void {
    const { registry, alerts } = this.deps;
    const hub = registry.hub(record.hubId);
    const suspect =
      record.lastSeen === null ||
      now - record.lastSeen > LIVENESS_SKIP_WITHIN_MS ||
      (hub !== undefined && (!hub.online || now - hub.lastStatusAt > HUB_SILENT_AFTER_MS));
    if (force || suspect || this.livenessWatch.has(record.pumpId)) {
      alerts.checkLiveness(record.hubId, record.pumpId, {
        latest: record.latest,
        lastSeen: record.lastSeen,
        ...(hub ? { hub: { online: hub.online, lastHeardAt: hub.lastStatusAt } } : {}),
      });
      // One more check after a pump clears, so the alert it had is resolved (or latched).
      if (suspect) this.livenessWatch.add(record.pumpId);
      else this.livenessWatch.delete(record.pumpId);
    }
    const online = registry.isPumpOnline(record, now);
    if (online !== this.lastOnline.get(record.pumpId)) {
      this.lastOnline.set(record.pumpId, online);
      this.dirty.add(record.pumpId);
    }
  }

  /** The registry's record, with the hub → pumps index kept up to date (a pump may move to another hub). */
  private ensurePump(hubId: string, pumpId: string): PumpRecord {
    const record = this.deps.registry.ensurePump(hubId, pumpId);
    const known = this.hubOfPump.get(pumpId);
    if (known !== hubId) {
      if (known !== undefined) this.pumpsOfHub.get(known)?.delete(pumpId);
      this.hubOfPump.set(pumpId, hubId);
      let pumps = this.pumpsOfHub.get(hubId);
      if (!pumps) {
        pumps = new Set();
        this.pumpsOfHub.set(hubId, pumps);
      }
      pumps.add(pumpId);
    }
    return record;
  }

  /** Any message from a hub proves it is alive, not only its heartbeat. */
  private noteHeard(hubId: string, now: number): void {
    const hub = this.deps.registry.hub(hubId);
    if (hub?.online) hub.lastStatusAt = now;
  }

  private flushPumpFrames(): void {
    if (this.dirty.size === 0) return;
    const now = this.deps.now();
    const deadline = performance.now() + PUMP_FRAME_BUDGET_MS;
    const batchSize = this.deps.pumpFrameBatch ?? PUMP_FRAME_BATCH;
    let batch: PumpView[] = [];
    // Set order is insertion order and a sent pump re-enters at the end, so leftovers go first next time.
    for (const pumpId of this.dirty) {
      if (performance.now() > deadline) break;
      const last = this.lastPumpFrameAt.get(pumpId) ?? 0;
      if (now - last < this.deps.pumpFrameIntervalMs) continue;
      const record = this.deps.registry.pump(pumpId);
      this.dirty.delete(pumpId);
      if (!record) continue;
      this.lastPumpFrameAt.set(pumpId, now);
      batch.push(this.viewOf(record, now));
      if (batch.length >= batchSize) {
        this.deps.broadcast({ type: 'pumps', pumps: batch });
        batch = [];
      }
    }
    if (batch.length > 0) this.deps.broadcast({ type: 'pumps', pumps: batch });
  }

  private viewOf(record: PumpRecord, now: number): PumpView {
    const view = this.deps.registry.view(record, this.deps.alerts.openAlertsOf(record.pumpId), now);
    view.order = this.deps.alerts.order(record.pumpId);
    return view;
  }
}
