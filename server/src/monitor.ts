import type { HubStatus, PumpLink, PumpView, ServerFrame, TelemetrySample } from '@pumpwatch/protocol';
import type { AlertService } from './alerts/alert-service.js';
import type { IngestStats } from './ingest/ingest-stats.js';
import type { PumpRecord, PumpRegistry } from './pumps/pump-registry.js';
import type { SampleStore } from './store/ports.js';

export interface PumpMonitorDeps {
  registry: PumpRegistry;
  alerts: AlertService;
  samples: SampleStore;
  stats: IngestStats;
  now: () => number;
  broadcast: (frame: ServerFrame) => void;
  /** Pump frames go out at most once per pump per this interval (docs/api.md: once per second). */
  pumpFrameIntervalMs: number;
}

/**
 * Coordinates what happens to a valid message: dedup on (pump, seq), store, evaluate, announce. Also runs
 * the liveness check on a timer, since silence produces no message to react to.
 */
export class PumpMonitor {
  private readonly dirty = new Set<string>();
  private readonly lastPumpFrameAt = new Map<string, number>();
  private readonly lastOnline = new Map<string, boolean>();
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly deps: PumpMonitorDeps) {}

  /** Rebuilds the registry and duplicate detection from the store after a restart. */
  async restore(): Promise<void> {
    const { registry, samples, now } = this.deps;
    for (const row of await samples.latestPerPump()) {
      const record = registry.ensurePump(row.hubId, row.pumpId);
      record.latest = row.sample;
      // Restart is not evidence that the pump spoke: liveness counts from the last sample we stored.
      record.lastSeen = Math.min(row.receivedAt, now());
    }
    for (const { pumpId, seq } of await samples.recentSeqs(65_536)) registry.pump(pumpId)?.seqs.mark(seq);
  }

  start(livenessIntervalMs = 1000): void {
    this.timers.push(setInterval(() => this.checkLiveness(), livenessIntervalMs));
    this.timers.push(setInterval(() => this.flushPumpFrames(), Math.min(250, this.deps.pumpFrameIntervalMs)));
    for (const timer of this.timers) timer.unref();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
  }

  onSample(hubId: string, pumpId: string, sample: TelemetrySample): void {
    const { registry, stats } = this.deps;
    const record = registry.ensurePump(hubId, pumpId);
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
    this.deps.registry.setHubStatus(hubId, status.online, this.deps.now(), status.version);
    for (const record of this.deps.registry.allPumps()) {
      if (record.hubId === hubId) this.dirty.add(record.pumpId);
    }
    this.checkLiveness();
  }

  onPumpLink(hubId: string, pumpId: string, link: PumpLink): void {
    const record = this.deps.registry.ensurePump(hubId, pumpId);
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
    const { registry, alerts } = this.deps;
    const now = this.deps.now();
    for (const record of registry.allPumps()) {
      const hub = registry.hub(record.hubId);
      const wasOnline = this.lastOnline.get(record.pumpId);
      alerts.checkLiveness(record.hubId, record.pumpId, {
        latest: record.latest,
        lastSeen: record.lastSeen,
        ...(hub ? { hub: { online: hub.online, lastHeardAt: hub.lastStatusAt } } : {}),
      });
      const online = registry.isPumpOnline(record, now);
      if (online !== wasOnline) {
        this.lastOnline.set(record.pumpId, online);
        this.dirty.add(record.pumpId);
      }
    }
  }

  /** Any message from a hub proves it is alive, not only its heartbeat. */
  private noteHeard(hubId: string, now: number): void {
    const hub = this.deps.registry.hub(hubId);
    if (hub?.online) hub.lastStatusAt = now;
  }

  private flushPumpFrames(): void {
    if (this.dirty.size === 0) return;
    const now = this.deps.now();
    for (const pumpId of this.dirty) {
      const last = this.lastPumpFrameAt.get(pumpId) ?? 0;
      if (now - last < this.deps.pumpFrameIntervalMs) continue;
      const record = this.deps.registry.pump(pumpId);
      this.dirty.delete(pumpId);
      if (!record) continue;
      this.lastPumpFrameAt.set(pumpId, now);
      this.deps.broadcast({ type: 'pump', pump: this.viewOf(record, now) });
    }
  }

  private viewOf(record: PumpRecord, now: number): PumpView {
    const view = this.deps.registry.view(record, this.deps.alerts.openAlertsOf(record.pumpId), now);
    view.order = this.deps.alerts.order(record.pumpId);
    return view;
  }
}
