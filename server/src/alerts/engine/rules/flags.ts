import type { TelemetrySample } from '@pumpwatch/protocol';
import type { EngineParams } from '../params.js';
import type { PumpEngineState } from '../pump-state.js';
import { HIGH, LOW, MEDIUM, NONE, R, VERDICT_OF, type Verdict } from '../rule-index.js';

/** Bits of the pump alarm flags the rules read, so a sample's list is scanned once, not once per rule. */
export const FLAG = {
  occlusion: 1,
  air_in_line: 2,
  battery_low: 4,
  battery_empty: 8,
  near_end: 16,
  vtbi_complete: 32,
  free_flow: 64,
} as const;
const FLAG_BITS: ReadonlyMap<string, number> = new Map(Object.entries(FLAG));

export function flagBitsOf(alarms: readonly string[]): number {
  let bits = 0;
  for (let i = 0; i < alarms.length; i += 1) bits |= FLAG_BITS.get(alarms[i] as string) ?? 0;
  return bits;
}

/** air_in_line (Alaris, B. Braun): the pump's flag; high. */
export function airInLine(st: PumpEngineState): Verdict {
  return st.flagBits & FLAG.air_in_line ? HIGH : NONE;
}

/**
 * battery_low (IDS BATTERY_LOW / BATTERY_EMPTY): ≤ 20 % on battery or the pump's flag → medium;
 * ≤ 5 % or battery empty → high. On mains a low charge is no risk.
 */
export function batteryLow(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  const q = p.battery;
  if (st.flagBits & FLAG.battery_empty) return HIGH;
  const pct = s.battery_pct;
  const onBattery = s.onBattery !== false;
  if (onBattery && pct !== undefined && pct <= q.criticalPct) return HIGH;
  if (st.flagBits & FLAG.battery_low) return MEDIUM;
  if (!onBattery || pct === undefined) return NONE;
  const threshold = st.verdict(R.battery_low) !== NONE ? q.lowPct + q.hysteresisPct : q.lowPct;
  return pct <= threshold ? MEDIUM : NONE;
}

/** clock_skew (Alaris Systems Manager resyncs beyond 30 s): pump clock vs hub clock; low technical. */
export function clockSkew(st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  if (s.hubTs === undefined) return NONE;
  const skew = Math.abs(s.ts - s.hubTs);
  const limit = st.verdict(R.clock_skew) !== NONE ? p.clockSkew.clearBelowMs : p.clockSkew.maxSkewMs;
  return skew > limit ? LOW : NONE;
}

/**
 * order_mismatch (the physician's order; Guardrails-style limits): programmed rate or VTBI outside the
 * prescribed order ± tolerance while the pump holds that program. High: a wrong rate is a medication error.
 */
export function orderMismatch(st: PumpEngineState, s: TelemetrySample): Verdict {
  const order = st.order;
  if (!order) return NONE;
  if (s.state !== 'infusing' && s.state !== 'paused' && s.state !== 'stopped') return NONE;
  const tolerance = order.tolerance_pct / 100;
  const rateOff = Math.abs(s.rate_mL_h - order.rate_mL_h) > order.rate_mL_h * tolerance + 1e-9;
  const vtbiOff =
    s.vtbi_mL !== undefined && Math.abs(s.vtbi_mL - order.vtbi_mL) > order.vtbi_mL * tolerance + 1e-9;
  return rateOff || vtbiOff ? HIGH : NONE;
}

/** Flags another rule already turns into its own alert. */
const COVERED_FLAGS: ReadonlySet<string> = new Set(Object.keys(FLAG));

/** pump_alarm (IDS annunciation types): any other pump-native alarm, at its mapped priority; worst wins. */
export function pumpAlarm(_st: PumpEngineState, s: TelemetrySample, p: EngineParams): Verdict {
  const alarms = s.alarms;
  if (alarms.length === 0) return NONE;
  let verdict: Verdict = NONE;
  for (let i = 0; i < alarms.length; i += 1) {
    const flag = alarms[i] as string;
    if (COVERED_FLAGS.has(flag)) continue;
    // hasOwn: a flag named `constructor` (valid: lower_snake_case) read the inherited function (#11).
    const { priorities } = p.pumpAlarm;
    const mapped =
      VERDICT_OF[(Object.hasOwn(priorities, flag) && priorities[flag]) || p.pumpAlarm.unknownPriority];
    if (mapped > verdict) verdict = mapped;
  }
  return verdict;
}

export function uncoveredFlags(s: TelemetrySample): string[] {
  return s.alarms.filter((flag) => !COVERED_FLAGS.has(flag));
}
