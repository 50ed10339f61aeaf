import { type IngestRejectReason, ingestRejectReasons } from '@pumpwatch/protocol';

/** Counts of what came in; shown in `GET /api/health` under `ingest`. */
export class IngestStats {
  accepted = 0;
  duplicates = 0;
  hubStatuses = 0;
  readonly rejected: Record<IngestRejectReason, number> = Object.fromEntries(
    ingestRejectReasons.map((reason) => [reason, 0]),
  ) as Record<IngestRejectReason, number>;

  reject(reason: IngestRejectReason): void {
    this.rejected[reason] += 1;
  }

  snapshot() {
    return {
      accepted: this.accepted,
      duplicates: this.duplicates,
      hubStatuses: this.hubStatuses,
      rejected: { ...this.rejected },
    };
  }
}

/**
 * Logs the first few rejections of each reason per window, then only a count, so a misbehaving hub
 * sending thousands of bad messages cannot flood the log.
 */
export class RejectionLogLimiter {
  private windowStart = 0;
  private readonly logged = new Map<string, number>();
  private suppressed = 0;

  constructor(
    private readonly perReasonPerWindow = 5,
    private readonly windowMs = 60_000,
  ) {}

  /** Returns whether to log this one, and how many were suppressed in the window that just closed. */
  shouldLog(reason: string, now: number): { log: boolean; suppressedBefore: number } {
    let suppressedBefore = 0;
    if (now - this.windowStart >= this.windowMs) {
      suppressedBefore = this.suppressed;
      this.windowStart = now;
      this.logged.clear();
      this.suppressed = 0;
    }
    const count = this.logged.get(reason) ?? 0;
    if (count < this.perReasonPerWindow) {
      this.logged.set(reason, count + 1);
      return { log: true, suppressedBefore };
    }
    this.suppressed += 1;
    return { log: false, suppressedBefore };
  }
}
