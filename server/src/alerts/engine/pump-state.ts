import type { StoredOrder } from '@pumpwatch/protocol';
import type { EngineParams } from './params.js';
import { RULE_COUNT, type Verdict } from './rule-index.js';

if (RULE_COUNT * 2 > 30) throw new Error('engine: verdicts no longer fit in a small integer');

/** Running numbers per pump: one slot per accessor below. */
const SLOTS = 38;
/**
 * The running numbers of many pumps in Float64Array pages of `pumpsPerPage` pumps each, each pump's slots
 * side by side: one contiguous block per pump, with no object of its own to chase. A full page is never
 * replaced (a new one is started), so a pump can hold its page itself: one load fewer per number than
 * reaching it through the slab (+4–12 % in an A/B run of both engines in one process,
 * docs/alerts.md#performance), and no spare capacity is held.
 */
export class NumberSlab {
  /** The page the last reserved slots are in. */
  page: Float64Array;
  private used = 0;
  private readonly pageLength: number;

  constructor(pumpsPerPage = 1) {
    this.pageLength = Math.max(1, pumpsPerPage) * SLOTS;
    this.page = new Float64Array(this.pageLength);
  }

  /** Reserves one pump's slots (zeroed) in `page`; returns the index of the first. */
  reserve(): number {
    if (this.used + SLOTS > this.pageLength) {
      this.page = new Float64Array(this.pageLength);
      this.used = 0;
    }
    const base = this.used;
    this.used += SLOTS;
    return base;
  }
}

/**
 * Everything the engine remembers about one pump: the verdict of every rule and the running windows,
 * trends and baselines the rules keep. Owned by the engine and updated in place (the shell never shares
 * it), which for the callers is the same as the pure (state, sample) → state the design asks for, without
 * the garbage.
 *
 * The running numbers live in a page of the NumberSlab the engine shares between its pumps, behind
 * accessors the compiler inlines. As plain fields each double sat in a heap box of its own: ~27 boxes
 * per pump, a pointer chase and often a cache miss each across 10,000 pumps, and a box allocated whenever V8
 * generalised a field. A Float64Array per pump still cost two objects to reach it; the shared slab
 * measured fastest (npm run bench:engine, docs/benchmarks.md).
 */
export class PumpEngineState {
  /**
   * Current verdict of every sample rule, two bits each in rule-index order, in one small integer: kept
   * inside the object rather than in the array (a small integer needs no box).
   */
  verdictBits = 0;
  /** The covered pump alarm flags of the sample being evaluated (flags.ts FLAG), set once per sample. */
  flagBits = 0;
  /** Set after a restart or a parameter change: the next sample reconciles even if no verdict changed. */
  forceReconcile = true;
  /**
   * End of a planned pause (event time; -Infinity when none): a plain field, not a slab slot, since it
   * changes a few times a day and is read only while the pump is stopped.
   */
  pauseUntil = Number.NEGATIVE_INFINITY;
  /**
   * Whether the pressure trend rose significantly at the last sample (occlusion_developing's test):
   * infiltration's baseline learns nothing from a climbing line. A boolean field, not a slab slot.
   */
  pressureRising = false;
  private readonly base: number;
  private readonly numbers: Float64Array;

  constructor(
    public params: EngineParams,
    public order: StoredOrder | null = null,
    slab: NumberSlab = new NumberSlab(),
  ) {
    this.base = slab.reserve();
    this.numbers = slab.page;
    // Every slot starts at 0; these start empty (NaN) or at an extreme a first value replaces.
    this.lastTs = Number.NEGATIVE_INFINITY;
    this.prevTs = Number.NaN;
    this.prevVi = Number.NaN;
    this.lastRate = Number.NaN;
    this.rateSince = Number.NaN;
    this.originTs = Number.NaN;
    this.ewLastTs = Number.NaN;
    this.resistance = Number.NaN;
    this.resistanceLastTs = Number.NaN;
    this.stableSince = Number.NaN;
    this.infiltrationClearSince = Number.NaN;
    this.reading1 = Number.NaN;
    this.reading2 = Number.NaN;
    this.baseline = Number.NaN;
    this.aboveSince = Number.NaN;
    this.rdAnchorTs = Number.NaN;
    this.ffAnchorTs = Number.NaN;
    this.notInfusingVi = Number.NaN;
    this.stoppedSince = Number.NaN;
    this.pressureBaseline = Number.NaN;
    this.risingSince = Number.NaN;
    this.developingClearSince = Number.NaN;
  }

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
  /** Newest event time evaluated; older samples are not evaluated. */
  get lastTs(): number {
    return this.numbers[this.base] as number;
  }
  set lastTs(v: number) {
    this.numbers[this.base] = v;
  }

  // Program tracking.
  get prevTs(): number {
    return this.numbers[this.base + 1] as number;
  }
  set prevTs(v: number) {
    this.numbers[this.base + 1] = v;
  }
  /** Pump clock minus hub clock at the last sample that carried both. */
  get prevClockOffset(): number {
    return this.numbers[this.base + 2] as number;
  }
  set prevClockOffset(v: number) {
    this.numbers[this.base + 2] = v;
  }
  get prevVi(): number {
    return this.numbers[this.base + 3] as number;
  }
  set prevVi(v: number) {
    this.numbers[this.base + 3] = v;
  }
  get lastRate(): number {
    return this.numbers[this.base + 4] as number;
  }
  set lastRate(v: number) {
    this.numbers[this.base + 4] = v;
  }
  get rateSince(): number {
    return this.numbers[this.base + 5] as number;
  }
  set rateSince(v: number) {
    this.numbers[this.base + 5] = v;
  }

  // occlusion_developing: an exponentially weighted regression of pressure on time (minutes since
  // originTs). (Slot 6 held the lowest pressure since the rate changed, read by nothing since issue 16
  // replaced it with a robust baseline; it is infiltration's now, see baselineSww.)
  get originTs(): number {
    return this.numbers[this.base + 7] as number;
  }
  set originTs(v: number) {
    this.numbers[this.base + 7] = v;
  }
  get ewLastTs(): number {
    return this.numbers[this.base + 8] as number;
  }
  set ewLastTs(v: number) {
    this.numbers[this.base + 8] = v;
  }
  get s0(): number {
    return this.numbers[this.base + 9] as number;
  }
  set s0(v: number) {
    this.numbers[this.base + 9] = v;
  }
  get st(): number {
    return this.numbers[this.base + 10] as number;
  }
  set st(v: number) {
    this.numbers[this.base + 10] = v;
  }
  get sp(): number {
    return this.numbers[this.base + 11] as number;
  }
  set sp(v: number) {
    this.numbers[this.base + 11] = v;
  }
  get stt(): number {
    return this.numbers[this.base + 12] as number;
  }
  set stt(v: number) {
    this.numbers[this.base + 12] = v;
  }
  get stp(): number {
    return this.numbers[this.base + 13] as number;
  }
  set stp(v: number) {
    this.numbers[this.base + 13] = v;
  }

  // infiltration_suspected.
  get resistance(): number {
    return this.numbers[this.base + 14] as number;
  }
  set resistance(v: number) {
    this.numbers[this.base + 14] = v;
  }
  get resistanceLastTs(): number {
    return this.numbers[this.base + 15] as number;
  }
  set resistanceLastTs(v: number) {
    this.numbers[this.base + 15] = v;
  }
  get stableSince(): number {
    return this.numbers[this.base + 16] as number;
  }
  set stableSince(v: number) {
    this.numbers[this.base + 16] = v;
  }
  /** Since when an active infiltration warning's clear condition has held (NaN: it does not). */
  get infiltrationClearSince(): number {
    return this.numbers[this.base + 17] as number;
  }
  set infiltrationClearSince(v: number) {
    this.numbers[this.base + 17] = v;
  }
  get baselineN(): number {
    return this.numbers[this.base + 18] as number;
  }
  set baselineN(v: number) {
    this.numbers[this.base + 18] = v;
  }
  get baseline(): number {
    return this.numbers[this.base + 19] as number;
  }
  set baseline(v: number) {
    this.numbers[this.base + 19] = v;
  }
  get aboveSince(): number {
    return this.numbers[this.base + 20] as number;
  }
  set aboveSince(v: number) {
    this.numbers[this.base + 20] = v;
  }

  // rate_deviation: tumbling window anchored at a sample.
  get rdAnchorTs(): number {
    return this.numbers[this.base + 21] as number;
  }
  set rdAnchorTs(v: number) {
    this.numbers[this.base + 21] = v;
  }
  get rdAnchorVi(): number {
    return this.numbers[this.base + 22] as number;
  }
  set rdAnchorVi(v: number) {
    this.numbers[this.base + 22] = v;
  }

  // free_flow.
  get ffAnchorTs(): number {
    return this.numbers[this.base + 23] as number;
  }
  set ffAnchorTs(v: number) {
    this.numbers[this.base + 23] = v;
  }
  get ffAnchorVi(): number {
    return this.numbers[this.base + 24] as number;
  }
  set ffAnchorVi(v: number) {
    this.numbers[this.base + 24] = v;
  }
  get notInfusingVi(): number {
    return this.numbers[this.base + 25] as number;
  }
  set notInfusingVi(v: number) {
    this.numbers[this.base + 25] = v;
  }

  // unexpected_stop.
  get stoppedSince(): number {
    return this.numbers[this.base + 26] as number;
  }
  set stoppedSince(v: number) {
    this.numbers[this.base + 26] = v;
  }

  // occlusion_developing, the trend's noise: weighted sums of pressure squared and of the squared weights,
  // so the regression's residuals and effective sample count give the slope its standard error.
  get spp(): number {
    return this.numbers[this.base + 27] as number;
  }
  set spp(v: number) {
    this.numbers[this.base + 27] = v;
  }
  get sww(): number {
    return this.numbers[this.base + 28] as number;
  }
  set sww(v: number) {
    this.numbers[this.base + 28] = v;
  }

  // Smoothed interval between pressure readings: the trend window spans at least a few of them.
  get trendIntervalMs(): number {
    return this.numbers[this.base + 29] as number;
  }
  set trendIntervalMs(v: number) {
    this.numbers[this.base + 29] = v;
  }

  // Robust mean pressure of the settled infusion (winsorised, frozen while rising), its sample count
  // and the noise variance around the trend.
  get pressureBaseline(): number {
    return this.numbers[this.base + 30] as number;
  }
  set pressureBaseline(v: number) {
    this.numbers[this.base + 30] = v;
  }
  get pressureBaselineN(): number {
    return this.numbers[this.base + 31] as number;
  }
  set pressureBaselineN(v: number) {
    this.numbers[this.base + 31] = v;
  }
  get noiseVariance(): number {
    return this.numbers[this.base + 32] as number;
  }
  set noiseVariance(v: number) {
    this.numbers[this.base + 32] = v;
  }

  // Since when the trend has risen significantly above the baseline (NaN: not rising).
  get risingSince(): number {
    return this.numbers[this.base + 33] as number;
  }
  set risingSince(v: number) {
    this.numbers[this.base + 33] = v;
  }

  // Since when an active warning's clear condition has held (NaN: it does not).
  get developingClearSince(): number {
    return this.numbers[this.base + 34] as number;
  }
  set developingClearSince(v: number) {
    this.numbers[this.base + 34] = v;
  }

  // infiltration_suspected: the two readings before this one, for a median of three (a spike is one
  // reading; the median drops it before it reaches the smoothed resistance).
  get reading1(): number {
    return this.numbers[this.base + 35] as number;
  }
  set reading1(v: number) {
    this.numbers[this.base + 35] = v;
  }
  get reading2(): number {
    return this.numbers[this.base + 36] as number;
  }
  set reading2(v: number) {
    this.numbers[this.base + 36] = v;
  }

  // infiltration_suspected, the baseline's uncertainty: the spread of readings around it (resistance
  // units squared) and the sum of its squared weights, whose product is its variance.
  get baselineSpread(): number {
    return this.numbers[this.base + 37] as number;
  }
  set baselineSpread(v: number) {
    this.numbers[this.base + 37] = v;
  }
  get baselineSww(): number {
    return this.numbers[this.base + 6] as number;
  }
  set baselineSww(v: number) {
    this.numbers[this.base + 6] = v;
  }
}
