import type { Logger } from 'pino';
import { type ErrorSink, guarded, logToConsole } from '../guard.js';
import type { SampleStore } from './ports.js';

export interface RetentionOptions {
  samples: SampleStore;
  /** Samples are kept this long after the server received them. */
  horizonMs: number;
  intervalMs: number;
  now: () => number;
  logger: Logger;
  /** Where an exception of the timer goes (the prune's own failures are in `figures`). */
  onError?: ErrorSink;
}

const DAY_MS = 86_400_000;

/**
 * Deletes samples older than the horizon on a timer. The prune itself runs in small transactions
 * (SampleStore.prune), so ingest goes on while it works; runs never overlap.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastRunAt: number | undefined;
  private lastDeleted = 0;
  private lastError: string | undefined;

  /** The timer's callback: an exception in it would end the process (issue #11). */
  private readonly guardedTick: () => void;

  constructor(private readonly options: RetentionOptions) {
    this.guardedTick = guarded('store/retention', () => this.tick(), options.onError ?? logToConsole);
  }

  start(): void {
    // The first run comes soon after start, not an interval later, so a server restarted often still prunes.
    this.timer = setTimeout(this.guardedTick, Math.min(60_000, this.options.intervalMs));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One run now (tests and the benchmark); resolves with how many samples were deleted. */
  async runOnce(): Promise<number> {
    if (this.running) await this.running;
    let deleted = 0;
    this.running = (async () => {
      const cutoff = this.options.now() - this.options.horizonMs;
      try {
        deleted = await this.options.samples.prune(cutoff);
        this.lastError = undefined;
        if (deleted > 0) this.options.logger.info({ deleted, cutoff }, 'retention deleted old samples');
      } catch (error) {
        this.lastError = String(error);
        this.options.logger.error({ err: error }, 'retention failed');
      }
      this.lastRunAt = this.options.now();
      this.lastDeleted = deleted;
    })();
    await this.running;
    this.running = undefined;
    return deleted;
  }

  figures(): Record<string, unknown> {
    return {
      horizonDays: this.options.horizonMs / DAY_MS,
      lastRunAt: this.lastRunAt ?? null,
      lastDeleted: this.lastDeleted,
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private tick(): Promise<unknown> {
    return this.runOnce().finally(() => {
      if (this.timer === undefined) return;
      this.timer = setTimeout(this.guardedTick, this.options.intervalMs);
      this.timer.unref();
    });
  }
}

export function daysToMs(days: number): number {
  return days * DAY_MS;
}
