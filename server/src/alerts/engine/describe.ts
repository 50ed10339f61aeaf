import type { Priority, RuleId, TelemetrySample } from '@pumpwatch/protocol';
import type { PumpEngineState } from './pump-state.js';
import { PRIORITY_OF, R, type SampleRuleId, sampleRuleIds } from './rule-index.js';
import { uncoveredFlags } from './rules/flags.js';
import { occlusionLimit, pressureSlope } from './rules/pressure.js';

/** A rule's finding that its condition holds, in words for the nurse and figures for the record. */
export interface Condition {
  rule: RuleId;
  priority: Priority;
  message: string;
  details: Record<string, unknown>;
}

const HOUR = 3_600_000;
const round = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

type Describer = (st: PumpEngineState, s: TelemetrySample) => Omit<Condition, 'rule' | 'priority'>;

/** Messages say what to do; they are read on a phone by a nurse who may be driving to the patient. */
const describers: Record<SampleRuleId, Describer> = {
  occlusion_downstream: (st, s) => ({
    message: 'Downstream occlusion: flow blocked. Check the line for kinks, closed clamps and the site.',
    details: {
      pressure_mmHg: s.pressure_mmHg ?? null,
      occlusionLimit_mmHg: occlusionLimit(s, st.params),
      pumpFlag: s.alarms.includes('occlusion'),
    },
  }),
  occlusion_developing: (st, s) => ({
    message:
      'Occlusion developing: line pressure is rising at a steady rate. Check the line before the pump alarms.',
    details: {
      pressure_mmHg: s.pressure_mmHg ?? null,
      occlusionLimit_mmHg: occlusionLimit(s, st.params),
      slope_mmHg_min: round(pressureSlope(st), 2),
    },
  }),
  infiltration_suspected: (st, s) => ({
    message:
      'Check the infusion site: line resistance has risen well above this infusion’s baseline (possible infiltration).',
    details: {
      resistance_mmHg_per_mL_h: round(st.resistance, 3),
      baseline_mmHg_per_mL_h: round(st.baseline, 3),
      ratio: round(st.resistance / st.baseline, 2),
      pressure_mmHg: s.pressure_mmHg ?? null,
    },
  }),
  rate_deviation: (st, s) => ({
    message: 'Delivered rate differs from the programmed rate. Check the pump and the line.',
    details: {
      programmed_mL_h: s.rate_mL_h,
      windowStartTs: Number.isNaN(st.rdAnchorTs) ? null : st.rdAnchorTs,
    },
  }),
  free_flow: (_st, s) => ({
    message:
      'Possible free flow: fluid is being delivered faster than programmed or while stopped. Clamp the line.',
    details: {
      state: s.state,
      vi_mL: s.vi_mL,
      programmed_mL_h: s.rate_mL_h,
      pumpFlag: s.alarms.includes('free_flow'),
    },
  }),
  air_in_line: () => ({
    message: 'Air in line: the pump has stopped. Remove the air before restarting.',
    details: {},
  }),
  unexpected_stop: (st, s) => ({
    message: 'Infusion stopped before completion. Check with the patient why the pump is not running.',
    details: {
      state: s.state,
      stoppedSince: Number.isNaN(st.stoppedSince) ? null : st.stoppedSince,
      vi_mL: s.vi_mL,
      vtbi_mL: s.vtbi_mL ?? null,
    },
  }),
  near_end: (_st, s) => ({
    message: 'Infusion near its end: plan the next bag or the visit.',
    details: {
      remaining_min:
        s.vtbi_mL !== undefined && s.rate_mL_h > 0
          ? round(((s.vtbi_mL - s.vi_mL) / s.rate_mL_h) * (HOUR / 60_000), 0)
          : null,
    },
  }),
  infusion_complete: (_st, s) => ({
    message:
      s.state === 'kvo'
        ? 'Infusion complete: the pump is keeping the vein open (KVO).'
        : 'Infusion complete.',
    details: { state: s.state, vi_mL: s.vi_mL, vtbi_mL: s.vtbi_mL ?? null },
  }),
  battery_low: (st, s) => ({
    message:
      st.verdict(R.battery_low) === 3
        ? 'Battery nearly empty: connect the pump to mains power now.'
        : 'Battery low: connect the pump to mains power.',
    details: { battery_pct: s.battery_pct ?? null, onBattery: s.onBattery ?? null },
  }),
  order_mismatch: (st, s) => ({
    message: 'Pump programming does not match the prescribed order. Verify rate and volume with the order.',
    details: {
      programmed_mL_h: s.rate_mL_h,
      programmedVtbi_mL: s.vtbi_mL ?? null,
      order: st.order
        ? {
            drug: st.order.drug,
            rate_mL_h: st.order.rate_mL_h,
            vtbi_mL: st.order.vtbi_mL,
            tolerance_pct: st.order.tolerance_pct,
          }
        : null,
    },
  }),
  clock_skew: (_st, s) => ({
    message: 'Pump clock differs from the hub clock by more than 30 s: times on this pump may be off.',
    details: { skew_s: s.hubTs === undefined ? null : round((s.ts - s.hubTs) / 1000, 1) },
  }),
  pump_alarm: (_st, s) => {
    const flags = uncoveredFlags(s);
    return {
      message: `Pump alarm: ${flags.join(', ').replaceAll('_', ' ')}. Check the pump.`,
      details: { flags },
    };
  },
};

/** The conditions that hold now, built only when a verdict changed (never on the per-sample path). */
export function describeConditions(st: PumpEngineState, s: TelemetrySample): Map<RuleId, Condition> {
  const conditions = new Map<RuleId, Condition>();
  for (let i = 0; i < sampleRuleIds.length; i += 1) {
    const verdict = st.verdict(i);
    if (verdict === 0) continue;
    const rule = sampleRuleIds[i] as SampleRuleId;
    conditions.set(rule, { rule, priority: PRIORITY_OF[verdict], ...describers[rule](st, s) });
  }
  return conditions;
}
