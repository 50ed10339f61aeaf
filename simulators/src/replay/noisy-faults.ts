import { createPrng } from '../prng.js';
import { DEFAULT_PUMP_PHYSICS, type PumpPhysics } from '../pump-physics.js';
import { drawSensor, NOISY_CORPUS_RANGES, pick } from './noisy-corpus.js';
import { type ScenarioCase, scenarioCases } from './scenario-cases.js';

const MIN = 60_000;
/** The infiltration scenario's resistance rise (scenarios.ts: 5× over 3 min). */
const INFILTRATION_FACTOR = 5;
/** How far past the rule's bound a rise must be for pressure to carry it. */
const CARRY_MARGIN = 1.5;

/**
 * Infiltration at rates the clean fault cases leave out, to show where pressure stops carrying it: at
 * 5 and 10 mL/h a fivefold resistance rise adds 5–10 mmHg, inside the sensor's noise.
 */
const EXTRA_INFILTRATION_RATES_mL_h = [5, 10, 50] as const;

/**
 * Whether the fault's pressure signature can be told from this sensor's noise: an infiltration's rise
 * must clear the rule's bound (10 mmHg and 3 × the noise at the raised level) by half again — a rise
 * right at the bound is a coin toss once smoothed — and stay under the occlusion limit (above it, the
 * occlusion rules report it). Other faults do not depend on pressure.
 */
export function pressureCarries(scenarioCase: ScenarioCase): boolean {
  const factor = infiltrationFactorOf(scenarioCase);
  if (factor === null) return true;
  const ph = { ...DEFAULT_PUMP_PHYSICS, ...scenarioCase.physics } as PumpPhysics;
  const rate = scenarioCase.params.rate_mL_h ?? 100;
  const settled = ph.lineResistance_mmHg_per_mL_h * rate;
  const raised = ph.venousPressure_mmHg + settled * factor;
  const rise = settled * (factor - 1);
  const noise = Math.hypot(ph.pressureNoise_mmHg, ph.pressureNoiseFraction * raised);
  return raised < ph.occlusionLimit_mmHg && rise >= CARRY_MARGIN * Math.max(10, 3 * noise);
}

/** The resistance factor of a case's infiltration, from the scenario or its own events; null: none. */
function infiltrationFactorOf(scenarioCase: ScenarioCase): number | null {
  for (const step of scenarioCase.events ?? []) {
    if (step.event.type === 'infiltration') return step.event.factor ?? INFILTRATION_FACTOR;
  }
  return scenarioCase.scenario === 'infiltration' ? INFILTRATION_FACTOR : null;
}

/**
 * Milder infiltrations at 100 mL/h (resistance 2.5× and 3× instead of 5×), so the trade-off of the
 * infiltration factor has faults near it: a 5× rise passes every factor swept.
 */
const MILD_INFILTRATION_FACTORS = [2.5, 3] as const;

/** One noisy variant of a fault case: the id names its family, the variant and its sample period. */
export interface NoisyFaultCase extends ScenarioCase {
  family: string;
  carried: boolean;
}

/**
 * The fault cases under the noisy corpus's sensors (issue 16: "the fault traces under the same noise"):
 * each case of `scenarioCases`, plus infiltration at 5, 10 and 50 mL/h and milder ones (2.5×, 3×) at
 * 100 mL/h, `variants` times, each with a
 * sensor drawn by `drawSensor` and a sample period drawn from 1–60 s. The trace runs ten sample periods
 * longer, so a rule that needs a few readings still has them. Seeded: the same on every run.
 */
export function noisyFaultCases({ variants = 12, seed = 1616 } = {}): NoisyFaultCase[] {
  const rng = createPrng(seed);
  const bases: ScenarioCase[] = [
    ...scenarioCases,
    ...EXTRA_INFILTRATION_RATES_mL_h.map(
      (rate): ScenarioCase => ({
        id: `infiltration@${rate}`,
        scenario: 'infiltration',
        params: { rate_mL_h: rate, onsetMs: 15 * MIN },
        durationMs: 35 * MIN,
        expect: { infiltration_suspected: 15 * MIN },
        allow: ['occlusion_developing'],
      }),
    ),
    ...MILD_INFILTRATION_FACTORS.map(
      (factor): ScenarioCase => ({
        id: `infiltration(${factor}×)@100`,
        scenario: 'normal',
        params: { rate_mL_h: 100, vtbi_mL: 2400 },
        events: [{ atMs: 15 * MIN, event: { type: 'infiltration', factor, rampMs: 180_000 } }],
        durationMs: 35 * MIN,
        expect: { infiltration_suspected: 15 * MIN },
        allow: ['occlusion_developing'],
      }),
    ),
  ];
  const out: NoisyFaultCase[] = [];
  for (const base of bases) {
    for (let k = 0; k < variants; k += 1) {
      const intervalMs = pick(rng, NOISY_CORPUS_RANGES.intervalsMs);
      const limit = base.physics?.occlusionLimit_mmHg ?? DEFAULT_PUMP_PHYSICS.occlusionLimit_mmHg;
      const variant: ScenarioCase = {
        ...base,
        id: `${base.id}~${k}@${intervalMs / 1000}s`,
        seed: seed * 1009 + out.length,
        intervalMs,
        durationMs: base.durationMs + 10 * intervalMs,
        physics: { ...base.physics, ...drawSensor(rng, limit) },
      };
      out.push({ ...variant, family: base.id, carried: pressureCarries(variant) });
    }
  }
  return out;
}
