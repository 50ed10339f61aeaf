import type { TelemetrySample } from '@pumpwatch/protocol';
import type { EngineParams } from '../params.js';
import type { PumpEngineState } from '../pump-state.js';
import { HIGH, MEDIUM, NONE, R, type Verdict } from '../rule-index.js';
import { DecayMemo } from './decay.js';
import { FLAG } from './flags.js';

const MINUTE = 60_000;
const trendDecay = new DecayMemo();
const resistanceDecay = new DecayMemo();

export function occlusionLimit(s: TelemetrySample, p: EngineParams): number {
  return s.occlusionLimit_mmHg ?? p.occlusion.defaultLimit_mmHg;
}

/**
 * occlusion_downstream (IEC 60601-2-24: high): the pump's occlusion flag, or pressure at or above the
 * limit. Clears below 90 % of the limit so a pressure hovering at the limit does not flap.
 */
export function occlusionDownstream(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  if (st.flagBits & FLAG.occlusion) return HIGH;
  const pressure = s.pressure_mmHg;
  if (pressure === undefined) return NONE;
  const limit = occlusionLimit(s, p);
  const threshold = st.verdict(R.occlusion_downstream) ? limit * p.occlusion.clearBelowFraction : limit;
  return pressure >= threshold ? HIGH : NONE;
}

/**
 * Keeps an exponentially weighted least-squares trend of pressure over time (time constant
 * `developingWindowMs`), reset whenever the rate changes, since a new rate moves pressure for reasons
 * other than an occlusion. O(1) per sample.
 */
export function updatePressureTrend(st: PumpEngineState, s: TelemetrySample, p: EngineParams): void {
  const pressure = s.pressure_mmHg;
  if (pressure === undefined) return;
  if (pressure < st.pressureFloor) st.pressureFloor = pressure;
  if (st.s0 === 0 || Number.isNaN(st.originTs)) {
    st.originTs = s.ts;
    st.ewLastTs = s.ts;
  }
  const decay = trendDecay.of(s.ts - st.ewLastTs, p.occlusion.developingWindowMs);
  st.ewLastTs = s.ts;
  let t = (s.ts - st.originTs) / MINUTE;
  if (t > 1000) {
    // Move the origin so the sums stay small and the regression stays precise on long infusions.
    const shift = t;
    st.stt = st.stt - 2 * shift * st.st + shift * shift * st.s0;
    st.stp = st.stp - shift * st.sp;
    st.st = st.st - shift * st.s0;
    st.originTs = s.ts;
    t = 0;
  }
  st.s0 = st.s0 * decay + 1;
  st.st = st.st * decay + t;
  st.sp = st.sp * decay + pressure;
  st.stt = st.stt * decay + t * t;
  st.stp = st.stp * decay + t * pressure;
}

export function resetPressureTrend(st: PumpEngineState): void {
  st.pressureFloor = Number.POSITIVE_INFINITY;
  st.s0 = 0;
  st.st = 0;
  st.sp = 0;
  st.stt = 0;
  st.stp = 0;
  st.originTs = Number.NaN;
}

/**
 * Slope of the pressure trend in mmHg/min; NaN until there are at least two samples spread over some
 * time (weighted variance of time ≥ (6 s)²), whatever the sample interval.
 */
export function pressureSlope(st: PumpEngineState): number {
  if (st.s0 < 1.5) return Number.NaN;
  const meanT = st.st / st.s0;
  const varianceT = st.stt / st.s0 - meanT * meanT;
  if (varianceT < 0.01) return Number.NaN;
  const covariance = st.stp / st.s0 - meanT * (st.sp / st.s0);
  return covariance / varianceT;
}

/**
 * occlusion_developing (proposed; Alaris auto-restart uses 50 % of the limit): pressure at or above half
 * the limit and rising at an unchanged rate: an early, medium warning at the low rates of home infusion,
 * where the pump's own alarm may be hours away. Becomes high at the limit (same alert, escalated).
 */
export function occlusionDeveloping(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  const pressure = s.pressure_mmHg;
  if (pressure === undefined || s.state !== 'infusing') return NONE;
  const limit = occlusionLimit(s, p);
  const wasActive = st.verdict(R.occlusion_developing) !== NONE;
  const slope = pressureSlope(st);
  const q = p.occlusion;
  if (wasActive) {
    // Clears when pressure is back down or clearly falling, not on every wobble of the trend.
    if (pressure < limit * q.developingClearFraction || slope <= -q.developingMinSlope_mmHg_min) return NONE;
  } else {
    const rateSteady = s.ts - st.rateSince >= q.developingWindowMs;
    if (!rateSteady || pressure < limit * q.developingFraction) return NONE;
    if (!(slope >= q.developingMinSlope_mmHg_min)) return NONE;
    // A rise, not just a high rate: at ~570 mL/h and more, normal pressure itself sits at half the limit.
    if (pressure - st.pressureFloor < q.developingMinRise_mmHg) return NONE;
  }
  return pressure >= limit ? HIGH : MEDIUM;
}

/**
 * infiltration_suspected (Scott 1996: resistance separates vein from tissue; ECRI: pumps do not detect
 * it): line resistance, (pressure − venous pressure) / rate, smoothed, against the baseline this
 * infusion learned in its first stable minutes. A sustained rise to 2× the baseline below the occlusion
 * limit says "check the infusion site". The absolute rise bound keeps sensor noise at low rates, where
 * pressure carries almost no information, from raising it; a pressure still climbing steadily is left to
 * the occlusion rules.
 */
export function infiltrationSuspected(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  const q = p.infiltration;
  const pressure = s.pressure_mmHg;
  const wasActive = st.verdict(R.infiltration_suspected) !== NONE;
  if (pressure === undefined || s.state !== 'infusing' || s.rate_mL_h <= 0) {
    st.stableSince = Number.NaN;
    st.aboveSince = Number.NaN;
    return wasActive && s.state === 'infusing' ? MEDIUM : NONE;
  }
  const sampleResistance = Math.max(pressure - q.venousPressure_mmHg, 0) / s.rate_mL_h;
  if (Number.isNaN(st.resistance)) {
    st.resistance = sampleResistance;
  } else {
    const alpha = 1 - resistanceDecay.of(s.ts - st.resistanceLastTs, q.smoothingMs);
    st.resistance += alpha * (sampleResistance - st.resistance);
  }
  st.resistanceLastTs = s.ts;
  if (Number.isNaN(st.stableSince)) st.stableSince = s.ts;

  if (Number.isNaN(st.baseline)) {
    const stableFor = s.ts - st.stableSince;
    if (stableFor >= q.settleMs && pressure < occlusionLimit(s, p) * 0.5) {
      // The lowest smoothed resistance of the learning window: an infiltration that began during the
      // window (cannulas slip early too) then cannot raise the baseline and hide itself.
      st.baselineMin = Math.min(st.baselineMin, st.resistance);
      st.baselineN += 1;
      if (stableFor >= q.settleMs + q.baselineLearnMs) st.baseline = st.baselineMin;
    }
    return NONE;
  }

  const ratio = st.resistance / Math.max(st.baseline, 1e-6);
  const rise_mmHg = (st.resistance - st.baseline) * s.rate_mL_h;
  const belowLimit = pressure < occlusionLimit(s, p);
  if (wasActive) return ratio >= q.clearFactor && belowLimit ? MEDIUM : NONE;
  // Free flow pushes more than the programmed rate through the line, which reads as resistance.
  if (st.verdict(R.free_flow) !== NONE) {
    st.aboveSince = Number.NaN;
    return NONE;
  }
  // Tissue resistance rises far slower than an occlusion climbs: a climb that fast is left to the
  // occlusion rules.
  if (ratio >= q.factor && rise_mmHg >= q.minRise_mmHg && belowLimit && !climbingLikeOcclusion(st, s, p)) {
    if (Number.isNaN(st.aboveSince)) st.aboveSince = s.ts;
    return s.ts - st.aboveSince >= q.sustainMs ? MEDIUM : NONE;
  }
  st.aboveSince = Number.NaN;
  return NONE;
}

/**
 * Pressure climbing at the pace of an occlusion: about rate / line compliance, since the pump keeps
 * pushing into a closed line. Takes and returns no fractional number: when the compiler does not inline
 * it, a double crossing the call is boxed on the heap, which was the engine's one steady-state
 * allocation per sample (npm run bench:engine).
 */
function climbingLikeOcclusion(st: PumpEngineState, s: TelemetrySample, p: EngineParams): boolean {
  const occlusionSlope_mmHg_min = s.rate_mL_h / p.occlusion.lineCompliance_mL_per_mmHg / 60;
  return pressureSlope(st) >= p.infiltration.occlusionSlopeFraction * occlusionSlope_mmHg_min;
}

/** A new program (volume infused went back down) starts a new infusion: learn a new baseline. */
export function resetInfiltrationBaseline(st: PumpEngineState): void {
  st.resistance = Number.NaN;
  st.stableSince = Number.NaN;
  st.baselineMin = Number.POSITIVE_INFINITY;
  st.baselineN = 0;
  st.baseline = Number.NaN;
  st.aboveSince = Number.NaN;
}
