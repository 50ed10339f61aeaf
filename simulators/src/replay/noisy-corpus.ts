import { createPrng, type Prng } from '../prng.js';
import type { PumpPhysics } from '../pump-physics.js';
import type { ScenarioStep } from '../scenarios.js';
import type { ScenarioCase } from './scenario-cases.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const VENOUS_mmHg = 8;

/** The ranges the noisy corpus draws from (issue 16: "a corpus as unkind as the world"). */
export const NOISY_CORPUS_RANGES = {
  rate_mL_h: [0.1, 999],
  occlusionLimit_mmHg: [100, 1000],
  /** Settled line pressure as a fraction of the occlusion limit. */
  settledFraction: [0.05, 0.65],
  pressureNoiseFraction: [0.01, 0.08],
  pressureNoise_mmHg: [0.5, 4],
  intervalsMs: [1, 2, 5, 10, 10, 15, 30, 60].map((s) => s * SECOND),
  quanta_mmHg: [0, 0, 1, 2, 5],
  movementPerHour: [0, 6],
  /** Drift per hour as a fraction of the limit, either sign. */
  driftFractionPerHour: 0.02,
  spikeProbability: [0, 0.005],
  dropoutProbability: [0, 0.05],
} as const;

/**
 * A noisy normal trace: a line whose settled pressure sits at `settledFraction` of the limit at `rate`,
 * read by a sensor with the given noise. Every other sensor defect is off unless named. Pumps at these
 * pressures raise nothing real: every alert on them is false.
 */
export interface NoisyLine {
  rate_mL_h: number;
  occlusionLimit_mmHg: number;
  settledFraction: number;
  sensor?: Partial<PumpPhysics>;
}

/** The line resistance that puts the settled pressure at `settledFraction` of the limit at `rate`. */
export function noisyPhysics(line: NoisyLine): Partial<PumpPhysics> {
  const settled = line.settledFraction * line.occlusionLimit_mmHg;
  return {
    occlusionLimit_mmHg: line.occlusionLimit_mmHg,
    lineResistance_mmHg_per_mL_h: Math.max(1e-3, (settled - VENOUS_mmHg) / line.rate_mL_h),
    // The flow physics needs no finer step for a normal trace; 1 s keeps 5,000 pump-hours in seconds.
    step_ms: 1000,
    ...line.sensor,
  };
}

/**
 * The held-out finding of issue 16, rebuilt: a normal infusion at 500 mL/h whose pressure sits near half
 * of a 300 mmHg limit, with a few percent of sensor noise, sampled every 10 s, for 2 h. Today's
 * occlusion_developing (slope ≥ 1 mmHg/min over 60 s, ≥ 30 mmHg above the running minimum) raised
 * about 45 times on each such trace.
 */
export function heldOutLikeCase(seed = 1, settledFraction = 0.5): ScenarioCase {
  return {
    id: `held-out-like@500#${seed}`,
    scenario: 'normal',
    params: { rate_mL_h: 500, vtbi_mL: 500 * 24 },
    durationMs: 2 * HOUR,
    expect: {},
    seed,
    intervalMs: 10 * SECOND,
    physics: noisyPhysics({
      rate_mL_h: 500,
      occlusionLimit_mmHg: 300,
      settledFraction,
      sensor: { pressureNoiseFraction: 0.04, pressureNoise_mmHg: 1.5 },
    }),
  };
}

/**
 * The noisy normal corpus: `cases` traces of `hours` each, every parameter drawn from NOISY_CORPUS_RANGES
 * with one seeded stream, so the corpus is the same on every run. Half the traces sit in the upper half
 * of the pressure range (40–65 % of the limit), where the occlusion rules are closest to the noise. A
 * quarter are titrated halfway (down where up would leave the normal pressure range). Programs last
 * 24 h, so no near-end or completion is due.
 */
export function noisyNormalCorpus({ cases = 1250, hours = 4, seed = 16 } = {}): ScenarioCase[] {
  const rng = createPrng(seed);
  const r = NOISY_CORPUS_RANGES;
  const out: ScenarioCase[] = [];
  for (let index = 0; index < cases; index += 1) {
    const rate = round3(logUniform(rng, r.rate_mL_h[0], r.rate_mL_h[1]));
    const limit = Math.round(rng.uniform(r.occlusionLimit_mmHg[0], r.occlusionLimit_mmHg[1]));
    const settledFraction = index % 2 === 0 ? rng.uniform(0.4, 0.65) : rng.uniform(...r.settledFraction);
    const intervalMs = pick(rng, r.intervalsMs);
    const sensor = drawSensor(rng, limit);
    const events: ScenarioStep[] = [];
    if (index % 2 === 1) events.push({ atMs: 0, event: { type: 'power_source', onBattery: false } });
    if (index % 4 === 3) {
      const titrated = settledFraction > 0.4 || rate * 1.5 > r.rate_mL_h[1] ? rate * 0.5 : rate * 1.5;
      events.push({ atMs: (hours * HOUR) / 2, event: { type: 'set_rate', rate_mL_h: round3(titrated) } });
    }
    out.push({
      id: `noisy@${rate}/${limit}#${index}`,
      scenario: 'normal',
      params: { rate_mL_h: rate, vtbi_mL: rate * 24 },
      durationMs: hours * HOUR,
      expect: {},
      seed: seed * 100_003 + index,
      intervalMs,
      physics: noisyPhysics({ rate_mL_h: rate, occlusionLimit_mmHg: limit, settledFraction, sensor }),
      events,
    });
  }
  return out;
}

/**
 * One pump's sensor defects, drawn from NOISY_CORPUS_RANGES: noise, quantisation, spikes (± 10 % of the
 * limit), dropouts, patient movement and drift. The fault traces under noise draw theirs here too, so
 * both corpora meet the same sensors.
 */
export function drawSensor(rng: Prng, limit_mmHg: number): Partial<PumpPhysics> {
  const r = NOISY_CORPUS_RANGES;
  return {
    pressureNoiseFraction: rng.uniform(...r.pressureNoiseFraction),
    pressureNoise_mmHg: rng.uniform(...r.pressureNoise_mmHg),
    pressureQuantum_mmHg: pick(rng, r.quanta_mmHg),
    pressureSpikeProbability: rng.uniform(...r.spikeProbability),
    pressureSpike_mmHg: 0.1 * limit_mmHg,
    pressureDropoutProbability: rng.uniform(...r.dropoutProbability),
    movementPerHour: rng.uniform(...r.movementPerHour),
    movementStep_mmHg: 20,
    pressureDrift_mmHg_h: rng.uniform(-1, 1) * r.driftFractionPerHour * limit_mmHg,
  };
}

export function pick<T>(rng: Prng, values: readonly T[]): T {
  return values[Math.floor(rng.next() * values.length)] as T;
}

function logUniform(rng: Prng, min: number, max: number): number {
  return Math.exp(rng.uniform(Math.log(min), Math.log(max)));
}

function round3(value: number): number {
  // A programmed rate has at most 3 decimals (pumps: 0.1 mL/h steps), and never below 0.1 mL/h.
  return Math.max(0.1, Math.round(value * 1000) / 1000);
}
