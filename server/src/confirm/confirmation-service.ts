import { randomBytes } from 'node:crypto';
import type { HubFloor, TelemetrySample } from '@pumpwatch/protocol';
import type { ErrorSink } from '../guard.js';
import type { RecentSeq, SampleStore } from '../store/ports.js';
import { CommitWatermarks } from './commit-watermarks.js';
import type { WatermarkPublisher } from './ports.js';

export interface ConfirmationServiceOptions {
  samples: Pick<SampleStore, 'committed'>;
  publisher: WatermarkPublisher;
  now: () => number;
  onError: ErrorSink;
  /** At most one `committed` message per hub this often (and at most one per store commit). */
  minIntervalMs: number;
  /** A fresh one per process unless given (tests). */
  runId?: string;
}

/** A failed or impossible publish is tried again after this long. */
const RETRY_MS = 1000;

export interface ConfirmationFigures {
  run: string;
  /** Samples taken but not yet seen committed. */
  pending: number;
  published: number;
  publishFailures: number;
  floors: number;
}

/**
 * Tells each hub how far its samples are committed (docs/protocol.md, "Confirmation"). Every sample
 * the ward took (stored, or a duplicate of one stored) is noted; once the store's next commit covers
 * it, the pump's watermark moves, and each hub whose watermarks moved gets one retained message for
 * the whole commit, not one per sample.
 */
export class ConfirmationService {
  readonly run: string;
  private readonly marks = new CommitWatermarks();
  // Parallel arrays rather than an object per sample: this runs for every sample ingested.
  private pendingHubs: string[] = [];
  private pendingPumps: string[] = [];
  private pendingEpochs: Array<string | undefined> = [];
  private pendingSeqs: number[] = [];
  private cycling = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastCycleAt = Number.NEGATIVE_INFINITY;
  private readonly figures = { published: 0, publishFailures: 0, floors: 0 };

  constructor(private readonly options: ConfirmationServiceOptions) {
    this.run = options.runId ?? randomBytes(6).toString('base64url');
  }

  /** What the store held at start (`WardShell.restore`), with each pump's hub. */
  restore(seqs: readonly RecentSeq[], hubOf: (pumpId: string) => string | undefined): void {
    let start = 0;
    while (start < seqs.length) {
      const first = seqs[start] as RecentSeq;
      let end = start;
      while (end < seqs.length && (seqs[end] as RecentSeq).pumpId === first.pumpId) end++;
      const hubId = hubOf(first.pumpId);
      if (hubId !== undefined) {
        const ascending = seqs.slice(start, end).map((row) => row.seq);
        this.marks.restore(hubId, first.pumpId, first.epoch, ascending);
      }
      start = end;
    }
  }

  /** Announces this run to every hub known, so each re-sends what the last run may have lost. */
  start(): void {
    this.republishAll();
  }

  /** After the broker connection came back: its retained messages may be gone with the broker. */
  republishAll(): void {
    for (const hubId of this.marks.hubIds()) this.marks.markDirty(hubId);
    this.schedule();
  }

  taken(hubId: string, pumpId: string, sample: TelemetrySample): void {
    this.pendingHubs.push(hubId);
    this.pendingPumps.push(pumpId);
    this.pendingEpochs.push(sample.epoch);
    this.pendingSeqs.push(sample.seq);
    this.schedule();
  }

  floor(hubId: string, floor: HubFloor): void {
    this.figures.floors += 1;
    for (const [pumpId, next] of Object.entries(floor.pumps))
      this.marks.floor(hubId, pumpId, floor.epoch, next);
    this.schedule();
  }

  watermark(pumpId: string) {
    return this.marks.watermark(pumpId);
  }

  snapshot(): ConfirmationFigures {
    return { run: this.run, pending: this.pendingSeqs.length, ...this.figures };
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private schedule(): void {
    if (this.cycling || this.stopped) return;
    this.cycling = true;
    this.cycle()
      .catch((error: unknown) => this.options.onError('confirm/cycle', error))
      .finally(() => {
        this.cycling = false;
      });
  }

  private async cycle(): Promise<void> {
    for (;;) {
      const wait = this.lastCycleAt + this.options.minIntervalMs - this.options.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // Let the rest of a burst (one MQTT read delivers many samples) join this batch.
      else await new Promise((resolve) => setImmediate(resolve));
      if (this.stopped) return;
      const hubs = this.pendingHubs;
      const pumps = this.pendingPumps;
      const epochs = this.pendingEpochs;
      const seqs = this.pendingSeqs;
      this.pendingHubs = [];
      this.pendingPumps = [];
      this.pendingEpochs = [];
      this.pendingSeqs = [];
      if (seqs.length > 0) await this.options.samples.committed();
      for (let i = 0; i < seqs.length; i++)
        this.marks.committed(hubs[i] as string, pumps[i] as string, epochs[i], seqs[i] as number);
      this.lastCycleAt = this.options.now();
      this.publishDirty();
      if (this.pendingSeqs.length === 0) return;
    }
  }

  private publishDirty(): void {
    const { publisher } = this.options;
    for (const hubId of this.marks.takeDirty()) {
      if (!publisher.ready) {
        this.marks.markDirty(hubId);
        this.retryLater();
        continue;
      }
      const message = {
        v: 1 as const,
        run: this.run,
        ts: this.options.now(),
        pumps: this.marks.hubWatermarks(hubId),
      };
      publisher.publish(hubId, message).then(
        () => {
          this.figures.published += 1;
        },
        () => {
          this.figures.publishFailures += 1;
          this.marks.markDirty(hubId);
          this.retryLater();
        },
      );
    }
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule();
    }, RETRY_MS);
    this.retryTimer.unref();
  }
}
