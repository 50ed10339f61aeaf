import { SimulatorError } from './errors.js';
import { moreScenarioBuilders, moreScenarioNames } from './more-scenarios.js';
import { PumpModel } from './pump-model.js';
import { STIFF_LINE_COMPLIANCE_mL_per_mmHg } from './pump-physics.js';
import type { ScenarioEntry, ScenarioParams, ScenarioStory } from './scenario-types.js';

export type {
  ScenarioBuilder,
  ScenarioEntry,
  ScenarioHub,
  ScenarioParams,
  ScenarioStep,
  ScenarioStory,
} from './scenario-types.js';

/** A pump's story as plain data, under the name it is built by. */
export interface Scenario extends ScenarioStory {
  name: ScenarioName;
}

export const scenarioNames = [
  'normal',
  'occlusion',
  'air_in_line',
  'battery_low',
  'infiltration',
  'complete',
  'paused',
  'free_flow',
  'silent',
  ...moreScenarioNames,
] as const;
export type ScenarioName = (typeof scenarioNames)[number];

/** Rates the `normal` scenario is exercised at: from a slow chemo line to a fast antibiotic. */
export const NORMAL_RATES_mL_h = [0.5, 5, 25, 80, 100, 125, 250] as const;

/** Each builder receives the parameters with defaults filled in (rate, then VTBI for 4 h at that rate). */
const builders: Record<ScenarioName, ScenarioEntry> = {
  normal: {
    defaults: { rate_mL_h: 100, onsetMs: 0 },
    build: ({ rate_mL_h, vtbi_mL }) => ({
      description: 'Infuses the programmed rate with ±5 % flow error until VTBI, then KVO.',
      program: { rate_mL_h, vtbi_mL },
      events: [],
    }),
  },
  occlusion: {
    defaults: { rate_mL_h: 5, onsetMs: 30_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        'Downstream occlusion at onset on a stiff line: pressure climbs at rate / compliance and the pump ' +
        'alarms and stops at its limit (under a minute at 5 mL/h, faster at higher rates).',
      program: { rate_mL_h, vtbi_mL },
      events: [
        {
          atMs: onsetMs,
          event: { type: 'occlusion', compliance_mL_per_mmHg: STIFF_LINE_COMPLIANCE_mL_per_mmHg },
        },
      ],
    }),
  },
  air_in_line: {
    defaults: { rate_mL_h: 125, onsetMs: 45_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description: 'Air bubble at onset: the pump flags air_in_line and stops.',
      program: { rate_mL_h, vtbi_mL },
      events: [{ atMs: onsetMs, event: { type: 'air_in_line' } }],
    }),
  },
  battery_low: {
    defaults: { rate_mL_h: 80, onsetMs: 60_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description: 'A worn battery at 24 % drops to 18 % at onset and drains fast (30 %/h) towards empty.',
      program: { rate_mL_h, vtbi_mL },
      battery_pct: 24,
      events: [{ atMs: onsetMs, event: { type: 'battery_low', battery_pct: 18, drain_pct_h: 30 } }],
    }),
  },
  infiltration: {
    defaults: { rate_mL_h: 100, onsetMs: 30_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        'The cannula slips into tissue: resistance climbs to 5× baseline over 3 min, pressure rises but ' +
        'stays under the occlusion limit, and the pump raises nothing (ECRI: pumps do not detect this).',
      program: { rate_mL_h, vtbi_mL },
      events: [{ atMs: onsetMs, event: { type: 'infiltration', factor: 5, rampMs: 180_000 } }],
    }),
  },
  complete: {
    defaults: { rate_mL_h: 250, onsetMs: 60_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        'Starts near the end so VTBI is reached about onsetMs after start; then complete, then KVO.',
      program: { rate_mL_h, vtbi_mL },
      initialVi_mL: Math.max(0, vtbi_mL - (rate_mL_h * onsetMs) / 3_600_000),
      events: [],
    }),
  },
  paused: {
    defaults: { rate_mL_h: 60, onsetMs: 0 },
    build: ({ rate_mL_h, vtbi_mL }) => ({
      description: 'Programmed and paused at the pump, delivering nothing.',
      program: { rate_mL_h, vtbi_mL },
      initialState: 'paused',
      initialVi_mL: Math.min(vtbi_mL / 3, rate_mL_h),
      events: [],
    }),
  },
  free_flow: {
    defaults: { rate_mL_h: 50, onsetMs: 30_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        'Gravity free flow at onset: delivered volume rises at 3× the programmed rate, no pump flag.',
      program: { rate_mL_h, vtbi_mL },
      events: [{ atMs: onsetMs, event: { type: 'free_flow', factor: 3 } }],
    }),
  },
  silent: {
    defaults: { rate_mL_h: 100, onsetMs: 60_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description: 'The pump stops reporting at onset while it keeps infusing.',
      program: { rate_mL_h, vtbi_mL },
      events: [{ atMs: onsetMs, event: { type: 'stop_reporting' } }],
    }),
  },
  ...moreScenarioBuilders,
};

export function isScenarioName(name: string): name is ScenarioName {
  return (scenarioNames as readonly string[]).includes(name);
}

/** Builds a named scenario; unspecified parameters take the scenario's defaults. */
export function buildScenario(name: string, params: ScenarioParams = {}): Scenario {
  if (!isScenarioName(name)) {
    throw new SimulatorError(
      'SCENARIO_UNKNOWN',
      `unknown scenario "${name}"; known: ${scenarioNames.join(', ')}`,
    );
  }
  const { defaults, build } = builders[name];
  const rate_mL_h = params.rate_mL_h ?? defaults.rate_mL_h;
  const filled = {
    rate_mL_h,
    vtbi_mL: params.vtbi_mL ?? rate_mL_h * 4,
    onsetMs: params.onsetMs ?? defaults.onsetMs,
  };
  return { name, ...build(filled) };
}

/** A pump model playing `scenario` from event time `startTs`. */
export function createPumpFromScenario(
  scenario: Scenario,
  options: { seed: number; startTs: number },
): PumpModel {
  // `order` and `hub` are for the runner around the pump (server, fake hub), not the pump itself.
  const { program, initialState, initialVi_mL, battery_pct, onBattery, physics } = scenario;
  const model = new PumpModel({
    ...options,
    program,
    initialState,
    initialVi_mL,
    battery_pct,
    onBattery,
    physics,
  });
  for (const { atMs, event } of scenario.events) model.schedule(options.startTs + atMs, event);
  return model;
}
