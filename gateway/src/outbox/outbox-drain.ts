import type { TelemetrySample } from '@pumpwatch/protocol';
import type { OutboxEntry, OutboxStore } from './outbox-store.js';

/** What the drain needs from MQTT: whether it is connected, and a publish that resolves on PUBACK. */
export interface TelemetryTransport {
  readonly connected: boolean;
  publishTelemetry(pumpId: string, sample: TelemetrySample): Promise<void>;
}

export interface OutboxDrainHooks {
  /**
   * The broker has the entry (PUBACK). That frees its in-flight slot only: the entry stays in the
   * outbox until the server's watermark passes it, unless the hook removes it (an older server that
   * sends no watermarks, gateway/src/confirm).
   */
  acknowledged(entry: OutboxEntry): Promise<void> | void;
  error(error: Error, entry?: OutboxEntry): void;
}

/** After a failed publish, wait this long before trying again, so a broken link does not spin. */
const RETRY_DELAY_MS = 500;

/**
 * Publishes the outbox oldest first with at most `maxInFlight` publishes waiting for their PUBACK.
 * Nothing is removed here: the server's watermark frees entries (or, for an older server, the
 * `acknowledged` hook). `kick()` whenever something may have changed (a new sample, a connect, an ack);
 * `rewind()` to send everything still held again. While the link is down nothing is sent; publishes
 * already in flight are resent by mqtt.js on reconnect, before anything new, so the order holds.
 */
export class OutboxDrain {
  /** Highest outbox id handed to the transport. */
  private cursor = -1;
  private inFlightCount = 0;
  /** Bumped by every rewind, so a read that raced with one is thrown away rather than skip entries. */
  private rewinds = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: OutboxStore,
    private readonly transport: TelemetryTransport,
    private readonly maxInFlight: number,
    private readonly hooks: OutboxDrainHooks,
  ) {}

  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Sends every entry still in the outbox again, oldest first: after a reconnect, a server restart… */
  rewind(): void {
    this.cursor = -1;
    this.rewinds++;
    this.kick();
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
    });
  }

  /** Stops dispatching; publishes in flight are not waited for (they stay in the outbox until acked). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.running;
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.dispatchAvailable();
      } catch (error) {
        this.hooks.error(asError(error));
        this.retryLater();
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async dispatchAvailable(): Promise<void> {
    while (!this.stopped && this.transport.connected && this.inFlightCount < this.maxInFlight) {
      const rewindsBefore = this.rewinds;
      const entries = await this.store.readAfter(this.cursor, this.maxInFlight - this.inFlightCount);
      if (this.rewinds !== rewindsBefore) continue;
      if (entries.length === 0 || this.stopped) return;
      for (const entry of entries) this.dispatch(entry);
    }
  }

  private dispatch(entry: OutboxEntry): void {
    this.cursor = Math.max(this.cursor, entry.id);
    this.inFlightCount++;
    this.transport.publishTelemetry(entry.pumpId, entry.sample).then(
      async () => {
        this.inFlightCount--;
        try {
          await this.hooks.acknowledged(entry);
        } catch (error) {
          this.hooks.error(asError(error), entry);
        }
        this.kick();
      },
      (error: unknown) => {
        this.inFlightCount--;
        // Send it again (and what follows it): a duplicate is harmless, the server dedups by seq.
        this.cursor = Math.min(this.cursor, entry.id - 1);
        this.rewinds++;
        this.hooks.error(asError(error), entry);
        this.retryLater();
      },
    );
  }

  private retryLater(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, RETRY_DELAY_MS);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
