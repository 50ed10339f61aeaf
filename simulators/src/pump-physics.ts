/**
 * Physical constants of a simulated pump and its line. Defaults are chosen so that normal infusions
 * look like real ones; every number can be overridden per pump or per scenario.
 */
export interface PumpPhysics {
  /** Downstream pressure at which the pump alarms and stops; ambulatory pumps sit around 300 mmHg. */
  occlusionLimit_mmHg: number;
  /** Pressure per unit of flow through cannula and vein: 0.25 gives ~25 mmHg above venous at 100 mL/h. */
  lineResistance_mmHg_per_mL_h: number;
  /** Back-pressure of a peripheral vein. */
  venousPressure_mmHg: number;
  /**
   * Volume the line stores per mmHg while occluded. 1.4e-3 reproduces a syringe driver's disclosed time
   * to occlusion alarm: ~5 min at 5 mL/h, ~50 min at 0.5 mL/h (docs/clinical-reference.md#occlusion).
   */
  compliance_mL_per_mmHg: number;
  /** Keep-vein-open rate after VTBI completes (capped at the programmed rate). */
  kvoRate_mL_h: number;
  batteryDrain_pct_h: number;
  batteryCharge_pct_h: number;
  /** Pump flags `battery_low` at or below this level and `battery_empty` at or below the next one. */
  batteryLow_pct: number;
  batteryEmpty_pct: number;
  /** The pump flags `near_end` when the remaining time at the current rate falls to this. */
  nearEnd_ms: number;
  /** How long the pump shows `complete` before switching to KVO (IPEC: COMP, then START at KVO rate). */
  completeHold_ms: number;
  /** Fixed calibration error of this pump, drawn uniformly in ±rateBiasMax. */
  rateBiasMax: number;
  /** Standard deviation and time constant of the slowly wandering flow error around the bias. */
  rateNoiseSd: number;
  rateNoiseTau_ms: number;
  /**
   * Total flow error is clamped to this: the spec promises ±5 % (real pumps ±2–6 %:
   * docs/clinical-reference.md#flow-accuracy).
   */
  rateErrorMax: number;
  /** Sensor noise on the reported pressure (standard deviation). */
  pressureNoise_mmHg: number;
  /**
   * The sensor's unkinder side, all off (0) by default so the fault scenarios keep their figures; the
   * noisy normal corpus (replay/noisy-corpus.ts) turns them on. Multiplicative noise: standard deviation
   * as a fraction of the reading (real strain gauges: a few percent).
   */
  pressureNoiseFraction: number;
  /** Readings rounded to this step (0: not quantised); pumps report whole or even mmHg. */
  pressureQuantum_mmHg: number;
  /** Chance per sample of a spike (a knock on the line), of ± up to `pressureSpike_mmHg`. */
  pressureSpikeProbability: number;
  pressureSpike_mmHg: number;
  /** Chance per sample that the reading is missing (no `pressure_mmHg` in the sample). */
  pressureDropoutProbability: number;
  /**
   * Patient movement: steps of ± `movementStep_mmHg` (a real hydrostatic change: arm raised, patient
   * sits up) lasting 10–120 s, starting this often per hour on average.
   */
  movementPerHour: number;
  movementStep_mmHg: number;
  /** Slow sensor drift (mmHg per hour, either sign), from the start of the pump's life. */
  pressureDrift_mmHg_h: number;
  /** Integration step of the model's simulated time. */
  step_ms: number;
}

export const DEFAULT_PUMP_PHYSICS: Readonly<PumpPhysics> = Object.freeze({
  occlusionLimit_mmHg: 300,
  lineResistance_mmHg_per_mL_h: 0.25,
  venousPressure_mmHg: 8,
  compliance_mL_per_mmHg: 1.4e-3,
  kvoRate_mL_h: 1,
  batteryDrain_pct_h: 4,
  batteryCharge_pct_h: 20,
  batteryLow_pct: 20,
  batteryEmpty_pct: 5,
  nearEnd_ms: 10 * 60_000,
  completeHold_ms: 5_000,
  rateBiasMax: 0.02,
  rateNoiseSd: 0.012,
  rateNoiseTau_ms: 60_000,
  rateErrorMax: 0.049,
  pressureNoise_mmHg: 1.5,
  pressureNoiseFraction: 0,
  pressureQuantum_mmHg: 0,
  pressureSpikeProbability: 0,
  pressureSpike_mmHg: 0,
  pressureDropoutProbability: 0,
  movementPerHour: 0,
  movementStep_mmHg: 20,
  pressureDrift_mmHg_h: 0,
  step_ms: 100,
});

/**
 * A line compliance stiff enough that a 5 mL/h occlusion reaches 300 mmHg in under a minute, for demos
 * and tests that cannot wait the five minutes a real syringe driver takes.
 */
export const STIFF_LINE_COMPLIANCE_mL_per_mmHg = 2.5e-4;
