import type { StoredOrder } from '@pumpwatch/protocol';
import type { EngineParams } from './params.js';
import { RULE_COUNT, type Verdict } from './rule-index.js';

if (RULE_COUNT * 2 > 30) throw new Error('engine: verdicts no longer fit in a small integer');

const DOUBLE_FIELDS = [
  's0',
  'st',
  'sp',
  'stt',
  'stp',
  'rdAnchorVi',
  'ffAnchorVi',
  'prevClockOffset',
] as const;

/**
 * Everything the engine remembers about one pump: the verdict of every rule and the running windows,
 * trends and baselines the rules keep. Fixed shape, numbers only, so evaluating a sample allocates
 * nothing. Owned by the engine and updated in place (the shell never shares it), which for the callers is
 * the same as the pure (state, sample) → state the design asks for, without the garbage.
 */
export class PumpEngineState {
  /**
   * Current verdict of every sample rule, two bits each in rule-index order, in one small integer: kept
   * inside the object rather than in a typed array whose separate backing store cost a cache miss per
   * sample across 10,000 pumps (npm run bench:engine).
   */
  verdictBits = 0;

  verdict(rule: number): Verdict {
    return ((this.verdictBits >>> (rule * 2)) & 3) as Verdict;
  }

  /** Sets a rule's verdict; returns whether it changed. */
  setVerdict(rule: number, verdict: Verdict): boolean {
    const shift = rule * 2;
    if (((this.verdictBits >>> shift) & 3) === verdict) return false;
    this.verdictBits = (this.verdictBits & ~(3 << shift)) | (verdict << shift);
    return true;
  }
  /** The covered pump alarm flags of the sample being evaluated (flags.ts FLAG), set once per sample. */
  flagBits = 0;
  /** Newest event time evaluated; older samples are not evaluated. */
  lastTs = Number.NEGATIVE_INFINITY;
  /** Set after a restart or a parameter change: the next sample reconciles even if no verdict changed. */
  forceReconcile = true;

  // Program tracking.
  prevTs = Number.NaN;
  /** Pump clock minus hub clock at the last sample that carried both. */
  prevClockOffset = 0;
  prevVi = Number.NaN;
  prevState = '';
  lastRate = Number.NaN;
  rateSince = Number.NaN;

  // occlusion_developing: lowest pressure since the rate last changed, and an exponentially weighted
  // regression of pressure on time (minutes since originTs).
  pressureFloor = Number.POSITIVE_INFINITY;
  originTs = Number.NaN;
  ewLastTs = Number.NaN;
  s0 = 0;
  st = 0;
  sp = 0;
  stt = 0;
  stp = 0;

  // infiltration_suspected.
  resistance = Number.NaN;
  resistanceLastTs = Number.NaN;
  stableSince = Number.NaN;
  baselineMin = Number.POSITIVE_INFINITY;
  baselineN = 0;
  baseline = Number.NaN;
  aboveSince = Number.NaN;

  // rate_deviation: tumbling window anchored at a sample.
  rdAnchorTs = Number.NaN;
  rdAnchorVi = 0;

  // free_flow.
  ffAnchorTs = Number.NaN;
  ffAnchorVi = 0;
  notInfusingVi = Number.NaN;

  // unexpected_stop.
  stoppedSince = Number.NaN;

  constructor(
    public params: EngineParams,
    public order: StoredOrder | null = null,
  ) {
    // Fields that start at 0 but hold fractions later are written once with a fraction, so V8 gives them
    // a double representation from the start. Otherwise each of 10,000 pumps changes its hidden class on
    // its first fractional write, and those migrations allocated ~30 B per sample (npm run bench:engine).
    for (const field of DOUBLE_FIELDS) {
      this[field] = 0.5;
      this[field] = 0;
    }
  }
}
