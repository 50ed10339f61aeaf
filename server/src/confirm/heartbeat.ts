import type { Logger } from 'pino';

export interface HeartbeatOptions {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  /** Whether ingest and the alert engine are working now; no ping goes out while they are not. */
  healthy: () => Promise<{ ok: boolean; reason?: string }>;
  logger: Logger;
}

export interface HeartbeatFigures {
  sent: number;
  failed: number;
  /** Pings withheld because the server was not healthy: that silence is the alarm. */
  withheld: number;
  lastOkAt: number | null;
}

/**
 * The dead man's switch (docs/operations.md): the server can report many faults, but not its own
 * death, a frozen event loop or a lost network. A service elsewhere (healthchecks.io, Uptime Kuma,
 * Cronitor…) expects this ping every interval and alarms when it stops. The URL is never logged: such
 * URLs carry their secret in the path.
 */
export class HeartbeatPinger {
  private timer: NodeJS.Timeout | undefined;
  private readonly figures: HeartbeatFigures = { sent: 0, failed: 0, withheld: 0, lastOkAt: null };
  private lastReason: string | undefined;

  constructor(private readonly options: HeartbeatOptions) {}

  start(): void {
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  snapshot(): HeartbeatFigures {
    return { ...this.figures };
  }

  /** One check and (when healthy) one ping; never throws. */
  async beat(): Promise<void> {
    const { logger } = this.options;
    try {
      const health = await this.options.healthy();
      if (!health.ok) {
        this.figures.withheld += 1;
        if (health.reason !== this.lastReason)
          logger.warn({ reason: health.reason }, 'heartbeat withheld: the server is not healthy');
        this.lastReason = health.reason;
        return;
      }
      this.lastReason = undefined;
      const response = await fetch(this.options.url, { signal: AbortSignal.timeout(this.options.timeoutMs) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.figures.sent += 1;
      this.figures.lastOkAt = Date.now();
    } catch (error) {
      this.figures.failed += 1;
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'heartbeat ping failed');
    }
  }
}
