import type { TelemetrySample } from '@pumpwatch/protocol';
import {
  buildScenario,
  createPumpFromScenario,
  type ScenarioParams,
  type ScenarioStep,
} from '@pumpwatch/simulators';
import {
  type DeepPartial,
  defaultEngineParams,
  type EngineParams,
  resolveParams,
} from '../../src/alerts/engine/params.js';
import { EngineCore } from '../../src/alerts/engine-core.js';
import { type AlertTransition, defaultEscalationPolicy } from '../../src/alerts/lifecycle.js';

export const START_TS = 1_763_812_800_000;

export interface TraceOptions extends ScenarioParams {
  seed?: number;
  /** Events besides the scenario's own, at offsets from the start. */
  events?: ScenarioStep[];
  durationMs: number;
  intervalMs?: number;
}

/** Samples of a simulated pump playing a scenario, at event times from START_TS (no wall clock). */
export function scenarioTrace(name: string, options: TraceOptions): TelemetrySample[] {
  const { seed = 1, durationMs, intervalMs = 1000, events = [], ...params } = options;
  const scenario = buildScenario(name, params);
  const pump = createPumpFromScenario(
    { ...scenario, events: [...scenario.events, ...events] },
    { seed, startTs: START_TS },
  );
  const samples: TelemetrySample[] = [];
  let seq = 0;
  for (let ts = START_TS; ts <= START_TS + durationMs; ts += intervalMs) {
    pump.advance(ts);
    if (!pump.reporting) continue;
    seq += 1;
    samples.push({ ...pump.sample(), seq });
  }
  return samples;
}

/** Runs samples of one pump through the engine core, applying every transition at once. */
export function runEngine(
  samples: TelemetrySample[],
  overrides?: DeepPartial<EngineParams>,
  configure?: (core: EngineCore) => void,
): AlertTransition[] {
  const params = resolveParams(defaultEngineParams, overrides);
  const core = new EngineCore({ params, policy: defaultEscalationPolicy });
  configure?.(core);
  const transitions: AlertTransition[] = [];
  for (const sample of samples) {
    for (const transition of core.onSample('hub', 'pump', sample, sample.ts)) {
      core.apply(transition.alert);
      transitions.push(transition);
    }
  }
  return transitions;
}

export function raisedRules(transitions: AlertTransition[]): string[] {
  return transitions.filter((t) => t.type === 'raised').map((t) => t.alert.rule);
}

/** Event time from the start of the trace to the first raise of `rule`, or null. */
export function firstRaise(transitions: AlertTransition[], rule: string): number | null {
  const raised = transitions.find((t) => t.type === 'raised' && t.alert.rule === rule);
  return raised ? raised.alert.raisedAt - START_TS : null;
}
