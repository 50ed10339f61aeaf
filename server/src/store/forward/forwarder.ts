import type { Logger } from 'pino';
import { type ErrorSink, logToConsole } from '../../guard.js';
import type { ComponentHealth } from '../ports.js';
import { type SampleSink, SinkError } from './sink.js';
import type { LineBatch, SampleSpool } from './spool.js';

export interface ForwarderOptions {
  spool: SampleSpool;
  sink: SampleSink;
  /** InfluxDB measurement of the samples. */
  measurement: string;
  logger: Logger;
  now: () => number;
  /** Most samples per write (10,000 lines are about 3 MB). */
  batchSize?: number;
  /** Retry delay after a failure: doubles from min to max. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** While idle, the destination is probed this often, so a broken one shows before data is waiting. */
  probeIntervalMs?: number;
  /** Where an unexpected exception of the delivery loop goes; the loop then starts again. */
  onError?: ErrorSink;
}

/**
 * Delivers the spool to a sink in ingest order, one batch in flight: the next batch is read only after
 * the previous one was accepted and its position committed (backpressure; memory holds one batch however
 * long the outage). A crash between the write and the commit re-sends that batch, which InfluxDB stores
 * as the same points again (line-protocol.ts), so every sample lands exactly once.
 */
export class SampleForwarder {
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private readonly probeIntervalMs: number;
  private position = 0;
  private batchLimit: number;
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private wakeOnStop: (() => void) | undefined;
  private unsubscribe: (() => void) | undefined;
  private failure: { code: string; detail: string; since: number } | undefined;
  private lastContactAt = 0;
  private lastWriteAt: number | undefined;
  private forwarded = 0;
  private rejected = 0;
  private lastRejection: { at: number; samples: number; detail: string } | undefined;

  constructor(private readonly options: ForwarderOptions) {
    this.batchLimit = options.batchSize ?? 10_000;
    this.retryMinMs = options.retryMinMs ?? 250;
    this.retryMaxMs = options.retryMaxMs ?? 10_000;
    this.probeIntervalMs = options.probeIntervalMs ?? 15_000;
  }

  async start(): Promise<void> {
    const { spool, sink } = this.options;
    this.position = await spool.position(sink.name);
    this.unsubscribe = spool.onDurable(() => this.wake?.());
    // A wrong token or database shows in /api/health at once, not at the first sample.
    await this.probe();
    this.running = this.supervise();
  }

  /**
   * The loop, restarted after an exception it did not expect (a failed acknowledge): left alone, the
   * rejection was unhandled and ended the process (issue #11). Its position is kept, so nothing is lost.
   */
  private async supervise(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.loop();
      } catch (error) {
        (this.options.onError ?? logToConsole)('store/forwarder', error);
        await this.sleep(this.retryMaxMs, false);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wakeOnStop?.();
    await this.running;
    await this.options.sink.close();
  }

  /** Samples stored but not yet delivered. */
  get backlog(): number {
    return Math.max(0, this.options.spool.lastId() - this.position);
  }

  health(): ComponentHealth {
    const figures = {
      ...this.options.sink.description,
      backlog: this.backlog,
      forwarded: this.forwarded,
      rejected: this.rejected,
      ...(this.lastRejection ? { lastRejection: this.lastRejection } : {}),
      lastWriteAt: this.lastWriteAt ?? null,
    };
    if (!this.failure) return { ok: true, ...figures };
    const { code, detail, since } = this.failure;
    return { ok: false, code, detail, failingSince: since, ...figures };
  }

  private async loop(): Promise<void> {
    let delay = this.retryMinMs;
    let ahead: Promise<LineBatch> | undefined;
    while (!this.stopped) {
      let batch: LineBatch;
      try {
        batch = await (ahead ?? this.read(this.position));
      } catch (error) {
        ahead = undefined;
        this.options.logger.error({ err: error }, 'forwarder cannot read the spool');
        await this.sleep(this.retryMaxMs, false);
        continue;
      }
      ahead = undefined;
      if (batch.count === 0 && batch.lastId > this.position) {
        // Ids without a sample (a commit that failed): nothing to send, move past them.
        await this.options.spool.acknowledge(this.options.sink.name, batch.lastId);
        this.position = batch.lastId;
        continue;
      }
      if (batch.count === 0) {
        if (this.failure || this.options.now() - this.lastContactAt >= this.probeIntervalMs)
          await this.probe();
        if (this.failure) {
          await this.sleep(delay, false);
          delay = Math.min(this.retryMaxMs, delay * 2);
        } else if (this.options.spool.lastId() <= this.position) {
          // Checked in the same tick as the sleep starts listening: a commit cannot slip in between.
          delay = this.retryMinMs;
          await this.sleep(this.probeIntervalMs, true);
        }
        continue;
      }
      // The next batch is read and encoded while this one is on the wire: still one write in flight,
      // so order holds, and memory holds two batches at most.
      ahead = this.read(batch.lastId);
      ahead.catch(() => undefined);
      try {
        await this.deliver(batch);
        delay = this.retryMinMs;
      } catch (error) {
        ahead = undefined;
        const failure = error instanceof SinkError ? error : undefined;
        if (failure?.code === 'INFLUX_TOO_LARGE' && this.batchLimit > 1) {
          this.batchLimit = Math.max(1, Math.floor(this.batchLimit / 2));
          continue;
        }
        if (failure?.permanent) {
          await this.skip(batch, failure);
          continue;
        }
        // New samples do not cut this short: a failing destination is not hammered at the commit rate.
        await this.sleep(delay, false);
        delay = Math.min(this.retryMaxMs, delay * 2);
      }
    }
  }

  private read(afterId: number): Promise<LineBatch> {
    return this.options.spool.readLines(afterId, this.batchLimit, this.options.measurement);
  }

  private async deliver(batch: LineBatch): Promise<void> {
    const { sink, spool, now } = this.options;
    try {
      await sink.write(batch.lines);
    } catch (error) {
      this.fail(error);
      throw error;
    }
    await spool.acknowledge(sink.name, batch.lastId);
    this.position = batch.lastId;
    this.forwarded += batch.count;
    this.lastWriteAt = now();
    this.lastContactAt = this.lastWriteAt;
    this.recover();
  }

  /** Points the server refuses will be refused again: count them, say so, and move on. */
  private async skip(batch: LineBatch, failure: SinkError): Promise<void> {
    this.options.logger.error(
      {
        code: failure.code,
        err: failure.message,
        samples: batch.count,
        firstId: batch.firstId,
        lastId: batch.lastId,
      },
      'InfluxDB rejected a batch; skipping it',
    );
    this.rejected += batch.count;
    this.lastRejection = { at: this.options.now(), samples: batch.count, detail: failure.message };
    await this.options.spool.acknowledge(this.options.sink.name, batch.lastId);
    this.position = batch.lastId;
  }

  private async probe(): Promise<void> {
    try {
      await this.options.sink.probe();
      this.lastContactAt = this.options.now();
      this.recover();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    const code = error instanceof SinkError ? error.code : 'INFLUX_UNREACHABLE';
    const detail = error instanceof Error ? error.message : String(error);
    if (this.failure?.code !== code) {
      this.options.logger.warn({ code, err: detail, backlog: this.backlog }, 'InfluxDB write failing');
      this.failure = { code, detail, since: this.options.now() };
    } else {
      this.failure.detail = detail;
    }
  }

  private recover(): void {
    if (!this.failure) return;
    this.options.logger.info(
      {
        code: this.failure.code,
        backlog: this.backlog,
        failedForMs: this.options.now() - this.failure.since,
      },
      'InfluxDB writes succeed again',
    );
    this.failure = undefined;
  }

  /** Waits `ms`; `stop` always ends the wait early, and new samples do when `wakeOnData`. */
  private sleep(ms: number, wakeOnData: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => {
        this.wake = undefined;
        this.wakeOnStop = undefined;
        done();
      };
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeOnStop = wake;
      if (wakeOnData) this.wake = wake;
    });
  }
}
