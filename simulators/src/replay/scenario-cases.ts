import type { RuleId } from '@pumpwatch/protocol';
import type { PumpPhysics } from '../pump-physics.js';
import type { ScenarioParams, ScenarioStep } from '../scenarios.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * One replay of a named scenario with its expected outcome: the rules it must raise, each with the event
 * time (from the start) at which its condition physically begins, so the report can give a detection
 * delay; and the rules it may also raise as consequences of the same fault (not counted as false).
 */
export interface ScenarioCase {
  id: string;
  scenario: string;
  params: ScenarioParams;
  durationMs: number;
  /** Rule → when its condition begins (ms from the start of the trace). */
  expect: Partial<Record<RuleId, number>>;
  allow?: RuleId[];
  /** Events besides the scenario's own (normal traces use this for titrations). */
  events?: ScenarioStep[];
  seed?: number;
  /** Physics over the scenario's own (the noisy corpus sets the line and the sensor here). */
  physics?: Partial<PumpPhysics>;
  /** Sample interval in event time (default 1000 ms). */
  intervalMs?: number;
}

/** Time the pump itself needs from occlusion onset to its limit with the default line (pump-physics.ts). */
function occlusionAlarmMs(rate_mL_h: number): number {
  return ((300 - (8 + 0.25 * rate_mL_h)) * 1.4e-3 * HOUR) / rate_mL_h;
}

const occlusionAt = (rate: number, onset: number): ScenarioCase => ({
  id: `downstream_occlusion@${rate}`,
  scenario: 'downstream_occlusion',
  params: { rate_mL_h: rate, vtbi_mL: rate * 10, onsetMs: onset },
  durationMs: onset + occlusionAlarmMs(rate) + 5 * MIN,
  // The early warning's condition begins at 45 % of the limit: time it against the pump's own alarm.
  expect:
    rate <= 5
      ? { occlusion_downstream: onset, occlusion_developing: onset }
      : { occlusion_downstream: onset },
  allow: ['occlusion_developing', 'unexpected_stop'],
});

/**
 * Every scenario with the rule it exists for. Together they raise every rule of the catalog, the two
 * liveness rules through the replay's server-clock liveness check (scenario `silent`: the pump goes
 * quiet; scenario `hub_offline`: the hub's Last Will).
 */
export const scenarioCases: ScenarioCase[] = [
  occlusionAt(0.5, 10 * MIN),
  occlusionAt(5, 5 * MIN),
  occlusionAt(100, 5 * MIN),
  {
    id: 'occlusion(stiff line)@5',
    scenario: 'occlusion',
    params: { rate_mL_h: 5, onsetMs: 60_000 },
    durationMs: 5 * MIN,
    expect: { occlusion_downstream: 60_000 },
    allow: ['occlusion_developing', 'unexpected_stop'],
  },
  ...[25, 100, 150].map(
    (rate): ScenarioCase => ({
      id: `infiltration@${rate}`,
      scenario: 'infiltration',
      params: { rate_mL_h: rate, onsetMs: 15 * MIN },
      durationMs: 35 * MIN,
      expect: { infiltration_suspected: 15 * MIN },
      // A fast climb past half the limit may also warn of a developing occlusion: both say "look".
      allow: ['occlusion_developing'],
    }),
  ),
  {
    id: 'free_flow@50',
    scenario: 'free_flow',
    params: { rate_mL_h: 50, onsetMs: 5 * MIN },
    durationMs: 20 * MIN,
    expect: { free_flow: 5 * MIN },
    allow: ['rate_deviation'],
  },
  ...[5, 80, 250].map(
    (rate): ScenarioCase => ({
      id: `rate_deviation@${rate}`,
      scenario: 'rate_deviation',
      params: { rate_mL_h: rate, vtbi_mL: rate * 24, onsetMs: 10 * MIN },
      durationMs: rate < 10 ? 70 * MIN : 45 * MIN,
      expect: { rate_deviation: 10 * MIN },
    }),
  ),
  {
    id: 'unexpected_stop@100',
    scenario: 'unexpected_stop',
    params: { rate_mL_h: 100, onsetMs: 5 * MIN },
    durationMs: 20 * MIN,
    expect: { unexpected_stop: 5 * MIN },
  },
  {
    id: 'paused@60',
    scenario: 'paused',
    params: { rate_mL_h: 60 },
    durationMs: 15 * MIN,
    expect: { unexpected_stop: 0 },
  },
  {
    id: 'near_end@100',
    scenario: 'near_end',
    params: { rate_mL_h: 100, onsetMs: 5 * MIN },
    durationMs: 45 * MIN,
    expect: { near_end: 5 * MIN, infusion_complete: 35 * MIN },
  },
  {
    id: 'complete@250',
    scenario: 'complete',
    params: { rate_mL_h: 250, onsetMs: 2 * MIN },
    durationMs: 10 * MIN,
    expect: { infusion_complete: 2 * MIN },
    // Starts two minutes from the end: the near-end warning is due from the first sample.
    allow: ['near_end'],
  },
  {
    id: 'air_in_line@125',
    scenario: 'air_in_line',
    params: { rate_mL_h: 125, onsetMs: 2 * MIN },
    durationMs: 10 * MIN,
    expect: { air_in_line: 2 * MIN },
  },
  {
    id: 'battery_low@80',
    scenario: 'battery_low',
    params: { rate_mL_h: 80, onsetMs: 2 * MIN },
    durationMs: 10 * MIN,
    expect: { battery_low: 2 * MIN },
  },
  {
    id: 'silent@100',
    scenario: 'silent',
    params: { rate_mL_h: 100, onsetMs: 2 * MIN },
    durationMs: 5 * MIN,
    expect: { pump_offline: 2 * MIN },
  },
  {
    id: 'hub_offline@100',
    scenario: 'hub_offline',
    params: { rate_mL_h: 100, onsetMs: 2 * MIN },
    durationMs: 5 * MIN,
    expect: { hub_offline: 2 * MIN },
  },
  {
    id: 'order_mismatch@5',
    scenario: 'order_mismatch',
    params: { rate_mL_h: 5, onsetMs: 2 * MIN },
    durationMs: 10 * MIN,
    expect: { order_mismatch: 2 * MIN },
    // Ten times the rate empties the program sooner: a near-end warning may be true by then.
    allow: ['near_end'],
  },
  {
    id: 'clock_skew@100',
    scenario: 'clock_skew',
    params: { rate_mL_h: 100, onsetMs: 2 * MIN },
    durationMs: 10 * MIN,
    expect: { clock_skew: 2 * MIN },
  },
  {
    id: 'upstream_occlusion@100',
    scenario: 'upstream_occlusion',
    params: { rate_mL_h: 100, onsetMs: 2 * MIN },
    durationMs: 10 * MIN,
    expect: { pump_alarm: 2 * MIN },
    allow: ['unexpected_stop'],
  },
];

/** Rates of the false-alert corpus: 0.5–500 mL/h, roughly log-spaced, with the common home rates. */
export const NORMAL_CORPUS_RATES_mL_h = [
  0.5, 1, 2, 5, 10, 20, 40, 60, 80, 100, 125, 150, 200, 250, 350, 500,
] as const;

/**
 * Normal infusions for the false-alert count: `seeds` pumps per rate, each `hours` long with a program of
 * 24 h (so no near-end or completion is due). Every fourth is titrated halfway, as nurses do: up by half,
 * or down by half where up would leave the 0.5–500 mL/h range; every other one runs on mains. Any alert
 * raised on these is false.
 */
export function normalCorpus({ seeds = 16, hours = 4 } = {}): ScenarioCase[] {
  const cases: ScenarioCase[] = [];
  for (const rate of NORMAL_CORPUS_RATES_mL_h) {
    for (let seed = 1; seed <= seeds; seed += 1) {
      const titrated = seed % 4 === 0;
      cases.push({
        id: `normal@${rate}#${seed}`,
        scenario: 'normal',
        params: { rate_mL_h: rate, vtbi_mL: rate * 24 },
        durationMs: hours * HOUR,
        expect: {},
        seed: seed * 7919 + Math.round(rate * 10),
        events: [
          ...(seed % 2 === 0
            ? [{ atMs: 0, event: { type: 'power_source', onBattery: false } as const }]
            : []),
          ...(titrated
            ? [{ atMs: (hours * HOUR) / 2, event: { type: 'set_rate', rate_mL_h: titrate(rate) } as const }]
            : []),
        ],
      });
    }
  }
  return cases;
}

function titrate(rate: number): number {
  const top = Math.max(...NORMAL_CORPUS_RATES_mL_h);
  return rate * 1.5 <= top ? rate * 1.5 : rate * 0.5;
}
