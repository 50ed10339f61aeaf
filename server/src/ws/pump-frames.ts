import type { PumpView, ServerFrame } from '@pumpwatch/protocol';
import { type ErrorSink, guarded } from '../guard.js';
import type { EventBus } from '../ward/event-bus.js';
import type { WardEvents } from '../ward/ward-events.js';

/** How often due pump frames are sent (each pump at most once per `intervalMs`). */
const FLUSH_MS = 50;
/**
 * Most event-loop time one flush spends on pump frames; pumps left over go out at the next flush. Without
 * it the pumps fell into step: all 10,000 sent in one block of ~100 ms every second, and an alert frame
 * arriving behind that block waited it out (npm run bench: a p99 spike every second).
 */
const BUDGET_MS = 8;
/**
 * Pumps per `pumps` frame. Each frame is one JSON.stringify for every client and one write to each: a
 * frame per pump cost one dashboard ~5.5 µs per pump (docs/benchmarks.md), and the browser copied its
 * pump map once per frame. A bounded batch keeps one frame's text (~0.5 KB a pump) and its
 * serialisation inside the flush's budget.
 */
const BATCH = 500;

export interface PumpFramesDeps {
  /** The pump as it is now (undefined once unknown). */
  view: (pumpId: string) => PumpView | undefined;
  broadcast: (frame: ServerFrame) => void;
  now: () => number;
  /** Each pump at most once per this interval (docs/api.md: once per second). */
  intervalMs: number;
  /** Most pumps in one `pumps` frame (tests lower it). */
  batch?: number;
  onError: ErrorSink;
}

/**
 * Sends the dashboards `pumps` frames for the pumps the ward says changed, each pump at most once per
 * interval, batched, within a time budget per flush. A listener on the ward's bus.
 */
export class PumpFrames {
  static readonly owner = 'ws/pump-frames';
  private readonly dirty = new Set<string>();
  private readonly lastSentAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: PumpFramesDeps) {}

  listen(bus: EventBus<WardEvents>): void {
    bus.on('pumpsChanged', PumpFrames.owner, (pumpIds) => this.markChanged(pumpIds));
  }

  markChanged(pumpIds: Iterable<string>): void {
    for (const pumpId of pumpIds) this.dirty.add(pumpId);
  }

  start(): void {
    this.timer = setInterval(
      guarded('ws/pump-frames', () => this.flush(), this.deps.onError),
      Math.min(FLUSH_MS, this.deps.intervalMs),
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  flush(): void {
    if (this.dirty.size === 0) return;
    const { now: clock, intervalMs, batch: batchSize = BATCH } = this.deps;
    const now = clock();
    const deadline = performance.now() + BUDGET_MS;
    let batch: PumpView[] = [];
    // Set order is insertion order and a sent pump re-enters at the end, so leftovers go first next time.
    for (const pumpId of this.dirty) {
      if (performance.now() > deadline) break;
      if (now - (this.lastSentAt.get(pumpId) ?? 0) < intervalMs) continue;
      this.dirty.delete(pumpId);
      let view: PumpView | undefined;
      try {
        view = this.deps.view(pumpId);
      } catch (error) {
        // One pump's view failing must not hold back the others' frames (issue #11).
        this.deps.onError('ws/pump-frame', error, { pumpId });
        continue;
      }
      if (!view) continue;
      this.lastSentAt.set(pumpId, now);
      batch.push(view);
      if (batch.length >= batchSize) {
        this.deps.broadcast({ type: 'pumps', pumps: batch });
        batch = [];
      }
    }
    if (batch.length > 0) this.deps.broadcast({ type: 'pumps', pumps: batch });
  }
}
