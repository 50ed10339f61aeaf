import type { CareSnapshot, IntermittentSchedule, StoredOrder } from '@pumpwatch/protocol';

/**
 * One interval of a pump's assignment to a therapy (docs/care.md), as the ward needs it: who and what
 * (the snapshot alerts carry) and the order the rules check. `to` null: still assigned.
 */
export interface PumpCareInterval {
  from: number;
  to: number | null;
  snapshot: CareSnapshot;
  /** The therapy's order, as `order_mismatch` checks it; null when the therapy has none in force. */
  order: StoredOrder | null;
  /** The therapy is active: not planned, on hold or completed (an inactive one leaves the pump unassigned for the rules). */
  active: boolean;
  /** An intermittent therapy's dose schedule, which dose_missed watches; null for a continuous one. */
  schedule: IntermittentSchedule | null;
  /** End of the therapy's last day in its team's time zone; null while it has no end date. */
  endsAt: number | null;
}

/** A pump's assignment history, oldest first; answers which interval holds a time. */
export class PumpCare {
  constructor(readonly intervals: readonly PumpCareInterval[]) {}

  /** The interval whose [from, to) holds `ts`: samples and alerts belong to whoever had the pump then. */
  at(ts: number): PumpCareInterval | undefined {
    for (let i = this.intervals.length - 1; i >= 0; i -= 1) {
      const interval = this.intervals[i] as PumpCareInterval;
      if (interval.from <= ts && (interval.to === null || ts < interval.to)) return interval;
    }
    return undefined;
  }

  /** The open-ended interval, if the pump is assigned now. */
  current(): PumpCareInterval | undefined {
    const last = this.intervals.at(-1);
    return last && last.to === null ? last : undefined;
  }
}
