import type { TelemetrySample } from '@pumpwatch/protocol';

/** How many dose starts a pump remembers: more than a day of doses every 2 h. */
const STARTS_KEPT = 16;

/**
 * Notices when a pump starts a dose, from its samples: the first infusing sample after it was not
 * infusing, when the pump began a new program (its volume infused went back down: a new bag, a new
 * ball) or had been off for at least `restGapMs`. Resuming the same program after a pause (a shower,
 * a line flush) is not a new dose, or a pause mid-dose would look like the next dose started early.
 */
export class DoseTracker {
  /** Event times of the doses started, oldest first. */
  private readonly starts: number[] = [];
  private infusing = false;
  /** When the current infusing run began (NaN while not infusing). */
  private runSince = Number.NaN;
  private lastInfusingTs = Number.NaN;
  private programVi = Number.NaN;
  private lastTs = Number.NEGATIVE_INFINITY;
  private firstTs = Number.NaN;

  constructor(private restGapMs: number) {}

  /** The rest between doses that makes a restart of the same program a new dose (half the interval). */
  setRestGap(restGapMs: number): void {
    this.restGapMs = restGapMs;
  }

  onSample(s: TelemetrySample): void {
    if (s.ts < this.lastTs) return;
    if (Number.isNaN(this.firstTs)) this.noteFirst(s);
    this.lastTs = s.ts;
    const infusing = s.state === 'infusing' && s.rate_mL_h > 0;
    const newProgram = !Number.isNaN(this.programVi) && s.vi_mL < this.programVi - 0.01;
    this.programVi = s.vi_mL;
    if (infusing && (!this.infusing || newProgram)) {
      const rested = Number.isNaN(this.lastInfusingTs) || s.ts - this.lastInfusingTs >= this.restGapMs;
      if (newProgram || rested) this.noteStart(s.ts);
      this.runSince = s.ts;
    }
    if (!infusing) this.runSince = Number.NaN;
    else this.lastInfusingTs = s.ts;
    this.infusing = infusing;
  }

  /**
   * Event time of the first sample seen (null before any): a dose due before it cannot be judged, since
   * nothing was watching when it should have started (a server restart, a pump just assigned).
   */
  observingSince(): number | null {
    return Number.isNaN(this.firstTs) ? null : this.firstTs;
  }

  /** Dose starts at or after `from`, oldest first. */
  startsSince(from: number): number[] {
    return this.starts.filter((ts) => ts >= from);
  }

  /** When the pump's current infusing run began; null while it is not infusing. */
  infusingSince(): number | null {
    return Number.isNaN(this.runSince) ? null : this.runSince;
  }

  /**
   * A pump first seen part-way through a program (after a restart, or assigned mid-dose) started it
   * before: about `vi / rate` ago. Counted as that start, so the dose under way is not taken for the next
   * one, or for a missed one.
   */
  private noteFirst(s: TelemetrySample): void {
    this.firstTs = s.ts;
    // A completed program (or KVO after it) ended some unknown time ago: its start cannot be told.
    const underWay =
      s.state !== 'complete' && s.state !== 'kvo' && (s.vtbi_mL === undefined || s.vi_mL < s.vtbi_mL);
    if (!underWay || s.vi_mL <= 0 || s.rate_mL_h <= 0) return;
    this.noteStart(s.ts - (s.vi_mL / s.rate_mL_h) * 3_600_000);
    this.lastInfusingTs = s.ts;
    this.infusing = s.state === 'infusing';
    if (this.infusing) this.runSince = s.ts;
    this.programVi = s.vi_mL;
  }

  private noteStart(ts: number): void {
    this.starts.push(ts);
    if (this.starts.length > STARTS_KEPT) this.starts.shift();
  }
}
