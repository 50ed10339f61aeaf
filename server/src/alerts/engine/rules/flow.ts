import type { TelemetrySample } from '@pumpwatch/protocol';
import type { EngineParams } from '../params.js';
import type { PumpEngineState } from '../pump-state.js';
import { HIGH, LOW, MEDIUM, NONE, R, type Verdict } from '../rule-index.js';
import { FLAG } from './flags.js';

const HOUR = 3_600_000;

/**
 * The program started and still has volume to give: stopping now is neither a completion nor a pump
 * waiting, programmed, for an intermittent therapy's next dose (nothing infused yet).
 */
function programIncomplete(s: TelemetrySample): boolean {
  return s.vi_mL > 0 && (s.vtbi_mL === undefined || s.vi_mL < s.vtbi_mL - 0.05);
}

/**
 * rate_deviation (docs/clinical-reference.md#flow-accuracy: > max(10 %, 0.2 mL/h) over a window; pumps are
 * ±2–6 % accurate, so anything tighter fires on normal pumps). Delivered rate is ΔVI/Δt over tumbling windows
 * anchored while infusing at one rate; a window lasts at least `windowMs`, long enough to expect
 * `minWindowVolume_mL`, at most `maxWindowMs`. The verdict holds until a window comes back within bounds.
 */
export function rateDeviation(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  const q = p.rateDeviation;
  const previous = st.verdict(R.rate_deviation) as Verdict;
  if (s.state !== 'infusing' || s.rate_mL_h <= 0) {
    st.rdAnchorTs = Number.NaN;
    return NONE;
  }
  if (Number.isNaN(st.rdAnchorTs) || st.rateSince > st.rdAnchorTs) {
    st.rdAnchorTs = s.ts;
    st.rdAnchorVi = s.vi_mL;
    return previous;
  }
  const elapsed = s.ts - st.rdAnchorTs;
  const expected_mL = (s.rate_mL_h * elapsed) / HOUR;
  if (elapsed < q.windowMs || (expected_mL < q.minWindowVolume_mL && elapsed < q.maxWindowMs))
    return previous;
  const delivered_mL_h = ((s.vi_mL - st.rdAnchorVi) * HOUR) / elapsed;
  st.rdAnchorTs = s.ts;
  st.rdAnchorVi = s.vi_mL;
  const bound = Math.max(q.relative * s.rate_mL_h, q.absolute_mL_h);
  // Hysteresis: once raised, a window must come back well inside the bound (80 %) to clear it, so a
  // pump hovering at the bound does not raise and clear on alternate windows.
  const limit = previous === NONE ? bound : bound * q.clearFraction;
  return Math.abs(delivered_mL_h - s.rate_mL_h) > limit ? MEDIUM : NONE;
}

/**
 * free_flow (B. Braun drop-sensor bit; proposed 1.5×): the pump's flag, volume rising while the pump is
 * not infusing, or delivered ≥ 1.5 × programmed over a short window with a real excess volume.
 */
export function freeFlow(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  const q = p.freeFlow;
  const previous = st.verdict(R.free_flow) as Verdict;
  if (st.flagBits & FLAG.free_flow) return HIGH;
  if (s.state !== 'infusing' && s.state !== 'kvo') {
    st.ffAnchorTs = Number.NaN;
    if (Number.isNaN(st.notInfusingVi)) st.notInfusingVi = s.vi_mL;
    return s.vi_mL - st.notInfusingVi >= q.notInfusingVolume_mL ? HIGH : NONE;
  }
  st.notInfusingVi = Number.NaN;
  // A new rate starts a new window: turning the rate down must not look like delivering too much.
  if (Number.isNaN(st.ffAnchorTs) || st.rateSince > st.ffAnchorTs) {
    st.ffAnchorTs = s.ts;
    st.ffAnchorVi = s.vi_mL;
    return previous;
  }
  const elapsed = s.ts - st.ffAnchorTs;
  if (elapsed < q.windowMs) return previous;
  const delivered_mL = s.vi_mL - st.ffAnchorVi;
  const expected_mL = (s.rate_mL_h * elapsed) / HOUR;
  st.ffAnchorTs = s.ts;
  st.ffAnchorVi = s.vi_mL;
  // Hysteresis: an active free flow clears only when delivery is back under halfway to the factor.
  const factor = previous === NONE ? q.factor : 1 + (q.factor - 1) / 2;
  return delivered_mL >= factor * expected_mL && delivered_mL - expected_mL >= q.minExcess_mL ? HIGH : NONE;
}

/**
 * unexpected_stop (proposed): stopped or paused with the program not complete for > 2 min → medium,
 * > 10 min → high. Quiet while an occlusion or air-in-line alarm already explains the stop, and during
 * a planned pause (docs/care.md#planned-pauses).
 */
export function unexpectedStop(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  const stopped = s.state === 'paused' || s.state === 'stopped' || s.state === 'standby' || s.state === 'off';
  if (!stopped || !programIncomplete(s)) {
    st.stoppedSince = Number.NaN;
    return NONE;
  }
  if (Number.isNaN(st.stoppedSince)) st.stoppedSince = s.ts;
  if (st.verdict(R.occlusion_downstream) !== NONE || st.verdict(R.air_in_line) !== NONE) return NONE;
  // During a planned pause the stop is counted from just under `mediumAfterMs` before its end: quiet
  // until the pause ends, medium at once if it overruns, and high as any stop would be after the time
  // between the two thresholds. The pause was the stop's expected length.
  const since =
    st.stoppedSince < st.pauseUntil ? st.pauseUntil - p.unexpectedStop.mediumAfterMs - 1 : st.stoppedSince;
  const stoppedFor = s.ts - since;
  if (stoppedFor > p.unexpectedStop.highAfterMs) return HIGH;
  return stoppedFor > p.unexpectedStop.mediumAfterMs ? MEDIUM : NONE;
}

/** near_end (pumps' near-end alert; 30 min at home covers a nurse's travel): low. */
export function nearEnd(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  if (s.state !== 'infusing') return NONE;
  if (st.flagBits & FLAG.near_end) return LOW;
  if (s.vtbi_mL === undefined || s.rate_mL_h <= 0 || s.vi_mL >= s.vtbi_mL) return NONE;
  const remainingMs = ((s.vtbi_mL - s.vi_mL) / s.rate_mL_h) * HOUR;
  const wasActive = st.verdict(R.near_end) !== NONE;
  const threshold = wasActive ? p.nearEnd.remainingMs + p.nearEnd.clearMarginMs : p.nearEnd.remainingMs;
  return remainingMs <= threshold ? LOW : NONE;
}

/** infusion_complete (IPEC COMP / KVO): VTBI reached, or the pump completed or fell back to KVO. */
export function infusionComplete(st: PumpEngineState, s: TelemetrySample): Verdict {
  if (s.state === 'complete' || s.state === 'kvo' || st.flagBits & FLAG.vtbi_complete) return MEDIUM;
  if (s.state === 'infusing' && s.vtbi_mL !== undefined && s.vtbi_mL > 0 && s.vi_mL >= s.vtbi_mL)
    return MEDIUM;
  return NONE;
}
