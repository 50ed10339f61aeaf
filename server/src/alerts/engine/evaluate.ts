import type { TelemetrySample } from '@pumpwatch/protocol';
import type { EngineParams } from './params.js';
import type { PumpEngineState } from './pump-state.js';
import { RULE_COUNT, type Verdict } from './rule-index.js';
import { airInLine, batteryLow, clockSkew, orderMismatch, pumpAlarm } from './rules/flags.js';
import { freeFlow, infusionComplete, nearEnd, rateDeviation, unexpectedStop } from './rules/flow.js';
import {
  infiltrationSuspected,
  occlusionDeveloping,
  occlusionDownstream,
  resetInfiltrationBaseline,
  resetPressureTrend,
  updatePressureTrend,
} from './rules/pressure.js';

type Rule = (st: PumpEngineState, s: TelemetrySample, p: EngineParams) => Verdict;

/** In the order of `sampleRuleIds` (rule-index.ts). */
const rules: readonly Rule[] = [
  occlusionDownstream,
  occlusionDeveloping,
  infiltrationSuspected,
  rateDeviation,
  freeFlow,
  airInLine,
  unexpectedStop,
  nearEnd,
  infusionComplete,
  batteryLow,
  orderMismatch,
  clockSkew,
  pumpAlarm,
];
if (rules.length !== RULE_COUNT) throw new Error('engine: rule table out of step with sampleRuleIds');

/**
 * The engine's core: evaluates every sample rule on one sample at the sample's own time (event time, so a
 * trace replayed at any speed gives the same verdicts). Updates the pump's state in place, allocates
 * nothing, and returns whether any verdict changed — only then does the lifecycle need to run.
 * A sample older than one already evaluated is ignored (it is stored, but must not move state back).
 */
export function evaluateSample(st: PumpEngineState, s: TelemetrySample): boolean {
  if (s.ts < st.lastTs) return false;
  st.lastTs = s.ts;
  const p = st.params;
  trackProgram(st, s);
  updatePressureTrend(st, s, p);
  let changed = st.forceReconcile;
  st.forceReconcile = false;
  const verdicts = st.verdicts;
  for (let i = 0; i < RULE_COUNT; i += 1) {
    const verdict = (rules[i] as Rule)(st, s, p);
    if (verdict !== verdicts[i]) {
      verdicts[i] = verdict;
      changed = true;
    }
  }
  return changed;
}

/** Notices rate changes and new programs, which restart the trends and windows that depend on them. */
function trackProgram(st: PumpEngineState, s: TelemetrySample): void {
  if (s.rate_mL_h !== st.lastRate) {
    st.lastRate = s.rate_mL_h;
    st.rateSince = s.ts;
    resetPressureTrend(st);
  }
  if (s.vi_mL < st.prevVi - 0.01) {
    // Volume infused went down: the pump started a new program (a new bag, a new dose).
    resetInfiltrationBaseline(st);
    st.rdAnchorTs = Number.NaN;
    st.ffAnchorTs = Number.NaN;
    st.notInfusingVi = Number.NaN;
  }
  st.prevVi = s.vi_mL;
  st.prevState = s.state;
}
