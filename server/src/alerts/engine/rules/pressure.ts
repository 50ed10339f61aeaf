import type { TelemetrySample } from '@pumpwatch/protocol';
import type { EngineParams } from '../params.js';
import type { PumpEngineState } from '../pump-state.js';
import { HIGH, MEDIUM, NONE, R, type Verdict } from '../rule-index.js';
import { DecayMemo } from './decay.js';
import { FLAG } from './flags.js';

const MINUTE = 60_000;
/** Multiplied by, not divided by: a division costs several multiplications (npm run bench:engine). */
const PER_MINUTE = 1 / MINUTE;
const trendDecay = new DecayMemo();
/** exp(−dt / τ) of infiltration's smoothing for the last (dt, τ): dt, τ, value (see decay.ts). */
const resistanceDecayMemo = new Float64Array([Number.NaN, Number.NaN, Number.NaN]);

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

/** The trend spans at least this many reading intervals, so a pump sampled every minute still has a trend. */
const TREND_MIN_READINGS = 6;
/** A gap longer than this between readings is an outage, not the pump's sampling interval. */
const MAX_INTERVAL_MS = 120_000;
/** The baseline is winsorised at this many noise standard deviations once it has this many readings. */
const WINSOR_SD = 2.5;
const WINSOR_AFTER = 10;

/**
 * Keeps an exponentially weighted least-squares trend of pressure over time (time constant
 * `developingWindowMs`, or six reading intervals when the pump reports less often), reset whenever the
 * rate changes, since a new rate moves pressure for reasons other than an occlusion. Also keeps what
 * the slope's standard error needs: the weighted sum of squared pressures and of squared weights.
 * O(1) per sample, no allocation.
 */
export function updatePressureTrend(st: PumpEngineState, s: TelemetrySample, p: EngineParams): void {
  const pressure = s.pressure_mmHg;
  if (pressure === undefined) return;
  if (st.s0 === 0 || Number.isNaN(st.originTs)) {
    st.originTs = s.ts;
    st.ewLastTs = s.ts;
  }
  const sinceLast = s.ts - st.ewLastTs;
  if (sinceLast > 0 && sinceLast <= MAX_INTERVAL_MS) {
    st.trendIntervalMs =
      st.trendIntervalMs === 0 ? sinceLast : st.trendIntervalMs + 0.2 * (sinceLast - st.trendIntervalMs);
  }
  // Pass the parameter itself in the common case: a freshly computed double handed to a call the
  // compiler does not inline is boxed on the heap, an allocation per sample.
  const spanMs = TREND_MIN_READINGS * st.trendIntervalMs;
  const decay = trendDecay.of(
    sinceLast,
    spanMs > p.occlusion.developingWindowMs ? spanMs : p.occlusion.developingWindowMs,
  );
  st.ewLastTs = s.ts;
  let t = (s.ts - st.originTs) * PER_MINUTE;
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
  st.sww = st.sww * decay * decay + 1;
  st.st = st.st * decay + t;
  st.sp = st.sp * decay + pressure;
  st.spp = st.spp * decay + pressure * pressure;
  st.stt = st.stt * decay + t * t;
  st.stp = st.stp * decay + t * pressure;
}

/** A new rate: a new trend, a new settled level and noise (multiplicative noise scales with the level). */
export function resetPressureTrend(st: PumpEngineState): void {
  st.s0 = 0;
  st.sww = 0;
  st.st = 0;
  st.sp = 0;
  st.spp = 0;
  st.stt = 0;
  st.stp = 0;
  st.originTs = Number.NaN;
  st.pressureBaseline = Number.NaN;
  st.pressureBaselineN = 0;
  st.noiseVariance = 0;
  st.risingSince = Number.NaN;
  st.developingClearSince = Number.NaN;
  // infiltration_suspected's median: readings of the old rate say nothing of the new one.
  st.reading1 = Number.NaN;
  st.reading2 = Number.NaN;
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
 * occlusion_developing (proposed; Alaris auto-restart uses 50 % of the limit, this 45 %, params.ts):
 * pressure rising at an unchanged rate, past 45 % of the limit: an early, medium warning at the low rates of home infusion, where
 * the pump's own alarm may be hours away. Becomes high at the limit (same alert, escalated).
 *
 * It asks whether the rise is real (issue 16: a pump near half its limit with a few percent of sensor
 * noise raised it ~45 times in 2 h with a slope and a running minimum alone): the trend's slope must be
 * `developingMinT` standard errors above zero, estimated from this pump's own residuals; the trend's
 * level must stand above a robust baseline of the settled infusion (a winsorised mean, frozen while the
 * trend rises: a running minimum is dragged down by every low reading) by max(30 mmHg, 3 × the pump's
 * noise); both for `developingMinDurationMs`. Once raised, it clears only after its clear condition
 * held for `developingHoldOffMs`, so noise around the clear line does not raise it again and again.
 * A reading missing (dropout) keeps the verdict. Everything is computed inline: no fractional number
 * crosses a call the compiler might not inline (it would be boxed: a per-sample allocation).
 */
export function occlusionDeveloping(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  const current = st.verdict(R.occlusion_developing);
  st.pressureRising = false;
  if (s.state !== 'infusing') {
    st.risingSince = Number.NaN;
    st.developingClearSince = Number.NaN;
    return NONE;
  }
  // At the limit the occlusion is occlusion_downstream's, which supersedes this warning (one cause, one
  // alert: lifecycle.ts SUPERSEDES): a rise must start afresh once it clears.
  if (st.verdict(R.occlusion_downstream) !== NONE) {
    st.risingSince = Number.NaN;
    st.developingClearSince = Number.NaN;
    return NONE;
  }
  const pressure = s.pressure_mmHg;
  if (pressure === undefined) return current;
  const q = p.occlusion;
  const limit = occlusionLimit(s, p);
  const wasActive = current !== NONE;

  // The trend: slope, level now, and the slope's t statistic from the weighted residuals.
  let slope = Number.NaN;
  let level = Number.NaN;
  let tStat = Number.NaN;
  let residualVariance = Number.NaN;
  const n = st.s0;
  if (n >= 1.5) {
    // One division for the four means (the engine's divisions were a visible part of its time).
    const inverseN = 1 / n;
    const meanT = st.st * inverseN;
    const varianceT = st.stt * inverseN - meanT * meanT;
    if (varianceT >= 0.01) {
      const meanP = st.sp * inverseN;
      const covariance = st.stp * inverseN - meanT * meanP;
      slope = covariance / varianceT;
      level = meanP + slope * ((s.ts - st.originTs) * PER_MINUTE - meanT);
      const nEff = (n * n) / st.sww;
      if (nEff > 3) {
        const varianceP = st.spp * inverseN - meanP * meanP;
        residualVariance = (Math.max(0, varianceP - covariance * slope) * nEff) / (nEff - 2);
        // The t statistic only where it can decide something: a slope past the bound, or an active
        // warning's clear test (a square root a sample was measurable: npm run bench:engine).
        if (wasActive || slope >= q.developingMinSlope_mmHg_min) {
          tStat = slope * Math.sqrt((nEff * varianceT) / residualVariance);
        }
      }
    }
  }
  const risingSignificantly = slope >= q.developingMinSlope_mmHg_min && tStat >= q.developingMinT;
  st.pressureRising = risingSignificantly;

  // The settled infusion's baseline and noise, learnt while nothing rises.
  const baselineN = st.pressureBaselineN;
  if (!wasActive && !risingSignificantly) {
    const weight = Math.max(1 / (baselineN + 1), st.trendIntervalMs / q.developingBaselineMs);
    const baseline = st.pressureBaseline;
    if (Number.isNaN(baseline)) {
      st.pressureBaseline = pressure;
    } else {
      const clip =
        baselineN >= WINSOR_AFTER ? WINSOR_SD * Math.sqrt(st.noiseVariance) : Number.POSITIVE_INFINITY;
      const winsorised = Math.min(baseline + clip, Math.max(baseline - clip, pressure));
      st.pressureBaseline = baseline + weight * (winsorised - baseline);
    }
    if (residualVariance >= 0) {
      st.noiseVariance =
        st.noiseVariance === 0
          ? residualVariance
          : st.noiseVariance + weight * (residualVariance - st.noiseVariance);
    }
    st.pressureBaselineN = baselineN + 1;
  }
  const riseNeeded =
    risingSignificantly || wasActive
      ? Math.max(q.developingMinRise_mmHg, q.developingRiseNoiseFactor * Math.sqrt(st.noiseVariance))
      : Number.POSITIVE_INFINITY;
  const rise = level - st.pressureBaseline;
  if (risingSignificantly && rise >= riseNeeded) {
    if (Number.isNaN(st.risingSince)) st.risingSince = s.ts;
  } else {
    st.risingSince = Number.NaN;
  }

  if (!wasActive) {
    const rateSteady = s.ts - st.rateSince >= q.developingWindowMs;
    if (!rateSteady || !(s.ts - st.risingSince >= q.developingMinDurationMs)) return NONE;
    // The reading itself, not the trend's level, meets the line: at the kink where an occlusion begins the
    // trend's level lags the climb by tens of seconds, which at 5 mL/h is a tenth of the time to alarm.
    if (pressure < limit * q.developingFraction) return NONE;
    st.developingClearSince = Number.NaN;
    return pressure >= limit ? HIGH : MEDIUM;
  }
  // Clears when pressure is back down, clearly falling or no longer above the baseline, for the hold-off.
  const falling = slope <= -q.developingMinSlope_mmHg_min && tStat <= -q.developingMinT;
  const clearLevel = Number.isNaN(level) ? pressure : level;
  if (clearLevel < limit * q.developingClearFraction || falling || rise < riseNeeded / 2) {
    if (Number.isNaN(st.developingClearSince)) st.developingClearSince = s.ts;
    if (s.ts - st.developingClearSince >= q.developingHoldOffMs) {
      st.developingClearSince = Number.NaN;
      return NONE;
    }
  } else {
    st.developingClearSince = Number.NaN;
  }
  return pressure >= limit ? HIGH : MEDIUM;
}

/**
 * infiltration_suspected (Scott 1996: resistance separates vein from tissue; ECRI: pumps do not detect
 * it): line resistance, (pressure − venous pressure) / rate, against a robust baseline of this infusion.
 * A sustained rise to 2× the baseline below the occlusion limit says "check the infusion site".
 *
 * It asks whether the rise is real (issue 16: on the noisy corpus the old rule, a running minimum of its
 * learning window and a 60 s mean, raised 27 false alerts in 5,016 pump-hours at 2.1 raises per
 * episode). Each reading is the median of the last three, so a spike (a knock on the line) never
 * reaches the smoothed resistance; the baseline is a mean of those medians over the settled infusion
 * (learnt over `baselineLearnMs`, then following slow sensor drift with time constant `baselineMs`,
 * frozen while the resistance stands raised), not the running minimum that every low reading dragged
 * down; the rise
 * must be at least max(`minRise_mmHg`, `noiseFactor` × this pump's noise) in pressure, held for
 * `sustainMs`; and once raised it clears only after its clear condition held `holdOffMs`. A pressure
 * still climbing steadily is left to the occlusion rules. Computed inline: no fractional number crosses
 * a call the compiler might not inline (it would be boxed, a per-sample allocation).
 */
export function infiltrationSuspected(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  const q = p.infiltration;
  const current = st.verdict(R.infiltration_suspected);
  if (s.state !== 'infusing' || s.rate_mL_h <= 0) {
    st.stableSince = Number.NaN;
    st.aboveSince = Number.NaN;
    st.infiltrationClearSince = Number.NaN;
    return NONE;
  }
  const pressure = s.pressure_mmHg;
  // A dropout keeps the verdict and every timer: 5 % of readings missing must not restart the count.
  if (pressure === undefined) return current;
  const wasActive = current !== NONE;

  // Median of this reading and the two before it; until there are three, nothing to judge. (`reading`
  // is always computed, never the sample's own number: a variable that is either would be kept tagged
  // and the double boxed, an allocation per sample.)
  const a = st.reading1;
  const b = st.reading2;
  st.reading2 = a;
  st.reading1 = pressure;
  if (Number.isNaN(b)) return current;
  const reading = Math.max(Math.min(pressure, a), Math.min(Math.max(pressure, a), b));

  const rate = s.rate_mL_h;
  const sampleResistance = Math.max(reading - q.venousPressure_mmHg, 0) / rate;
  const sinceLast = s.ts - st.resistanceLastTs;
  if (Number.isNaN(st.resistance)) {
    st.resistance = sampleResistance;
  } else {
    // decay.ts's memo, inline: passed to a call V8 did not inline, `sinceLast` was boxed, 16 B a sample
    // (npm run bench:engine, steady state). The memo's numbers sit in a Float64Array, unboxed.
    const memo = resistanceDecayMemo;
    if (sinceLast !== memo[0] || q.smoothingMs !== memo[1]) {
      memo[0] = sinceLast;
      memo[1] = q.smoothingMs;
      memo[2] = Math.exp(-sinceLast / q.smoothingMs);
    }
    const alpha = 1 - (memo[2] as number);
    st.resistance += alpha * (sampleResistance - st.resistance);
  }
  st.resistanceLastTs = s.ts;
  if (Number.isNaN(st.stableSince)) st.stableSince = s.ts;
  const stableFor = s.ts - st.stableSince;
  // After a start or a new rate the line settles first (the pressure follows the flow, not the
  // programmed rate: at a titration the first reading still shows the old flow), with three readings
  // of the new rate for the median.
  if (stableFor < q.settleMs || s.ts - st.rateSince < q.settleMs) return current;

  // The baseline: a mean of the settled infusion's median-of-three resistance — cumulative at first,
  // then exponential — frozen while the resistance stands raised, so a slow infiltration cannot teach
  // it its rise. No spike reaches it (the median), and a movement step moves it by step × duration / τ
  // (20 mmHg × 2 min / 30 min: under 1.5 mmHg). Clipping readings to a few noise deviations instead, as
  // occlusion_developing's baseline does, capped how fast it could follow drift (≈ 5 σ an hour) below
  // the corpus's 2 % of the limit an hour, and a drifting low-pressure line read as a doubling.
  const baseline = st.baseline;
  const learning = st.baselineN === 0 || stableFor < q.settleMs + q.baselineLearnMs || Number.isNaN(baseline);
  // Judged only once learnt. The rise must stand out from the pump's noise and from the baseline's own
  // uncertainty at today's rate: a baseline learnt from a few noisy readings at 5 mL/h, multiplied by a
  // titration to 50 mL/h, predicts pressure ten times less surely (a 60 s pump raised this on a
  // titration). The square roots only for a ratio that could matter (two a sample were a visible part
  // of the engine's time, npm run bench:engine); below it no rise is enough.
  let ratio = Number.NaN;
  let rise = Number.NaN;
  let riseNeeded = Number.POSITIVE_INFINITY;
  let raised = false;
  if (!learning) {
    ratio = st.resistance / Math.max(baseline, 1e-6);
    rise = (st.resistance - baseline) * rate;
    if (ratio >= Math.min(q.clearFactor, q.factor)) {
      const baselineNoise = Math.sqrt(st.baselineSpread * st.baselineSww) * rate;
      const noise = Math.max(Math.sqrt(st.noiseVariance), baselineNoise);
      riseNeeded = Math.max(q.minRise_mmHg, q.noiseFactor * noise);
    }
    raised = ratio >= q.clearFactor && rise >= riseNeeded / 2;
  }

  // Not while the pressure climbs (its trend's slope ≥ 1 mmHg/min and 3 standard errors) or an
  // occlusion rule holds: a climbing line says nothing about the settled vein. This is what keeps an
  // infiltration that begins while the baseline is being learnt from teaching it its rise (the running
  // minimum did that before issue 16, and was dragged down by every low reading).
  const occluding =
    st.verdict(R.occlusion_downstream) !== NONE || st.verdict(R.occlusion_developing) !== NONE;
  if ((learning || (!wasActive && !raised)) && !occluding && !st.pressureRising) {
    if (Number.isNaN(baseline)) {
      st.baseline = sampleResistance;
      st.baselineSpread = 0;
      st.baselineSww = 1;
    } else {
      const weight = Math.max(
        1 / (st.baselineN + 1),
        (sinceLast > 0 && sinceLast < 120_000 ? sinceLast : 0) / q.baselineMs,
      );
      const deviation = sampleResistance - baseline;
      st.baseline = baseline + weight * deviation;
      st.baselineSpread += weight * (deviation * deviation - st.baselineSpread);
      st.baselineSww = (1 - weight) * (1 - weight) * st.baselineSww + weight * weight;
    }
    st.baselineN += 1;
  }
  if (learning) return NONE;

  const limit = occlusionLimit(s, p);
  const belowLimit = pressure < limit;
  if (wasActive) {
    if (!belowLimit) return NONE;
    if (ratio < q.clearFactor || rise < riseNeeded / 2) {
      if (Number.isNaN(st.infiltrationClearSince)) st.infiltrationClearSince = s.ts;
      if (s.ts - st.infiltrationClearSince >= q.holdOffMs) {
        st.infiltrationClearSince = Number.NaN;
        st.aboveSince = Number.NaN;
        return NONE;
      }
    } else {
      st.infiltrationClearSince = Number.NaN;
    }
    return MEDIUM;
  }
  // Free flow pushes more than the programmed rate through the line, which reads as resistance.
  if (st.verdict(R.free_flow) !== NONE) {
    st.aboveSince = Number.NaN;
    return NONE;
  }
  // Tissue resistance rises far slower than an occlusion climbs: a climb that fast is left to the
  // occlusion rules.
  if (ratio >= q.factor && rise >= riseNeeded && belowLimit && !climbingLikeOcclusion(st, s, p)) {
    if (Number.isNaN(st.aboveSince)) st.aboveSince = s.ts;
    if (s.ts - st.aboveSince < q.sustainMs) return NONE;
    st.infiltrationClearSince = Number.NaN;
    return MEDIUM;
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
  st.baselineN = 0;
  st.baseline = Number.NaN;
  st.aboveSince = Number.NaN;
  st.infiltrationClearSince = Number.NaN;
  st.reading1 = Number.NaN;
  st.reading2 = Number.NaN;
}
