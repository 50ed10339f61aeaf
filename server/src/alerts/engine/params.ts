import { prioritySchema, type RuleId, ruleIdSchema } from '@pumpwatch/protocol';
import { z } from 'zod';
import { PumpwatchError } from '../../errors.js';

/**
 * Rule parameters. Defaults come from docs/clinical-reference.md (#rule-catalog and #pump-behaviour);
 * where the catalog says "proposed", so does the comment here. Every value can be overridden globally
 * (server config `engine.params`) and per pump (`engine.pumps.{pumpId}`): see `resolveParams`.
 */
export const engineParamsSchema = z.object({
  occlusion: z.object({
    /** Used when a sample carries no occlusionLimit_mmHg; ambulatory pumps sit around 300 mmHg. */
    defaultLimit_mmHg: z.number().nonnegative(),
    /** Hysteresis: an active occlusion clears only below this fraction of the limit. */
    clearBelowFraction: z.number().nonnegative(),
    /** occlusion_developing: pressure at or above this fraction of the limit… (Alaris: 50 %). */
    developingFraction: z.number().nonnegative(),
    /** …and rising at least this fast (mmHg/min)… (proposed; 0.1 mL/h occludes at ~1 mmHg/min) */
    developingMinSlope_mmHg_min: z.number().nonnegative(),
    /** …at a rate unchanged for this long, over a trend of this time constant (proposed). */
    developingWindowMs: z.number().nonnegative(),
    /** Clears below this fraction of the limit, or when pressure clearly falls. */
    developingClearFraction: z.number().nonnegative(),
    /**
     * …and at least this far above the settled infusion's robust baseline (proposed: 10 % of 300), and
     * at least `developingRiseNoiseFactor` × this pump's own noise (standard deviation around its trend).
     */
    developingMinRise_mmHg: z.number().nonnegative(),
    developingRiseNoiseFactor: z.number().nonnegative(),
    /** …with the slope at least this many standard errors above zero (residuals of the trend; issue 16). */
    developingMinT: z.number().nonnegative(),
    /** …all of which held this long without a break (proposed). */
    developingMinDurationMs: z.number().nonnegative(),
    /**
     * Hold-off: a raised warning clears only once its clear condition held this long, so a condition
     * that returns within it continues the same alert instead of raising a new one (proposed).
     */
    developingHoldOffMs: z.number().nonnegative(),
    /** Time constant of the robust baseline (a winsorised mean, frozen while pressure rises). */
    developingBaselineMs: z.number().positive(),
    /**
     * Volume a line stores per mmHg: 1.4e-3 mL/mmHg reproduces a syringe driver's disclosed times to
     * alarm (~5 min at 5 mL/h, ~50 min at 0.5 mL/h; docs/clinical-reference.md#occlusion). Sets how
     * fast an occlusion climbs.
     */
    lineCompliance_mL_per_mmHg: z.number().positive(),
  }),
  infiltration: z.object({
    /** Resistance at or above this multiple of the infusion's own baseline (Scott 1996; proposed 2×). */
    factor: z.number().nonnegative(),
    /** Hysteresis: clears below this multiple. */
    clearFactor: z.number().nonnegative(),
    /**
     * …and at least this pressure rise above what the baseline predicts, so sensor noise at low rates
     * cannot trigger it, and at least `noiseFactor` × this pump's own noise (issue 16; proposed).
     */
    minRise_mmHg: z.number().nonnegative(),
    noiseFactor: z.number().nonnegative(),
    /** …held this long (sustained): longer than most patient movement (10–120 s). */
    sustainMs: z.number().nonnegative(),
    /**
     * Hold-off: a raised warning clears only once its clear condition held this long, so a condition
     * that returns within it continues the same alert (proposed; issue 16).
     */
    holdOffMs: z.number().nonnegative(),
    /**
     * Baseline: a mean of the median-of-three resistance over the first `baselineLearnMs` of stable infusion
     * after `settleMs`, then following slow drift with time constant `baselineMs`, frozen while raised.
     */
    baselineLearnMs: z.number().nonnegative(),
    settleMs: z.number().nonnegative(),
    baselineMs: z.number().positive(),
    /** Smoothing time constant of the resistance estimate. */
    smoothingMs: z.number().nonnegative(),
    /** Pressure at zero flow (peripheral venous pressure), subtracted before dividing by the rate. */
    venousPressure_mmHg: z.number().nonnegative(),
    /** A climb faster than this fraction of an occlusion's climb (rate / compliance) is an occlusion's. */
    occlusionSlopeFraction: z.number().nonnegative(),
  }),
  rateDeviation: z.object({
    /**
     * Relative and absolute bounds: > max(10 %, 0.2 mL/h); pumps are ±2–6 % accurate
     * (docs/clinical-reference.md#flow-accuracy).
     */
    relative: z.number().nonnegative(),
    absolute_mL_h: z.number().nonnegative(),
    /** Window: at least this long (proposed)… */
    windowMs: z.number().nonnegative(),
    /** …and long enough to expect this much volume, so volume resolution does not dominate… */
    minWindowVolume_mL: z.number().nonnegative(),
    /** …but never longer than this. */
    maxWindowMs: z.number().nonnegative(),
    /** Hysteresis: an active deviation clears only within this fraction of the bound. */
    clearFraction: z.number().nonnegative(),
  }),
  freeFlow: z.object({
    /** Delivered ≥ 1.5 × programmed (docs/clinical-reference.md#rule-catalog; proposed factor)… */
    factor: z.number().nonnegative(),
    /** …over this window, with at least this much excess volume. */
    windowMs: z.number().nonnegative(),
    minExcess_mL: z.number().nonnegative(),
    /** Volume rising by this much while the pump is not infusing. */
    notInfusingVolume_mL: z.number().nonnegative(),
  }),
  unexpectedStop: z.object({
    /** Stopped or paused with the program not complete for > 2 min → medium, > 10 min → high. */
    mediumAfterMs: z.number().nonnegative(),
    highAfterMs: z.number().nonnegative(),
  }),
  nearEnd: z.object({
    /** Time remaining ≤ 30 min: covers a nurse's travel (docs/clinical-reference.md#end-of-infusion). */
    remainingMs: z.number().nonnegative(),
    /** Hysteresis on the way back up. */
    clearMarginMs: z.number().nonnegative(),
  }),
  battery: z.object({
    /** ≤ 20 % → medium; ≤ 5 % or battery empty → high (IDS BATTERY_LOW / EMPTY). */
    lowPct: z.number().nonnegative(),
    criticalPct: z.number().nonnegative(),
    hysteresisPct: z.number().nonnegative(),
  }),
  clockSkew: z.object({
    /** Pump clock differs from the hub's by > 30 s (Alaris Systems Manager resyncs beyond 30 s). */
    maxSkewMs: z.number().nonnegative(),
    clearBelowMs: z.number().nonnegative(),
  }),
  pumpAlarm: z.object({
    /** Priority of pump-native alarm flags not covered by another rule; unknown flags get `unknownPriority`. */
    priorities: z.record(z.string(), prioritySchema),
    unknownPriority: prioritySchema,
  }),
  dose: z.object({
    /**
     * dose_missed: an intermittent therapy's dose not started this long after its scheduled time →
     * medium (ISMP: non-time-critical scheduled medicines within 1 h of their time; proposed)…
     */
    lateAfterMs: z.number().nonnegative(),
    /** …still not started this long after it → high (proposed). */
    highAfterMs: z.number().nonnegative(),
    /** dose_early: a dose started more than this before its time → low (proposed). */
    earlyBeforeMs: z.number().nonnegative(),
  }),
  unassignedInfusing: z.object({
    /** A pump infusing this long with no active therapy assigned → low (only once patients are in use). */
    afterMs: z.number().nonnegative(),
  }),
  liveness: z.object({
    /** pump_offline: no valid sample for > max(3 × expected interval, 30 s). */
    pumpOfflineAfterMs: z.number().nonnegative(),
  }),
  retrigger: z.object({
    /**
     * One episode, one alert (issue 16): a condition returning this soon after its alert resolved
     * reopens that alert (`retriggered`) instead of raising a new one (proposed: 5 min)…
     */
    holdOffMs: z.number().nonnegative(),
    /** …or this soon for the rules named here; 0 never reopens. */
    byRule: z.partialRecord(ruleIdSchema, z.number().nonnegative()),
  }),
});

export type EngineParams = z.infer<typeof engineParamsSchema>;

export const defaultEngineParams: EngineParams = {
  occlusion: {
    defaultLimit_mmHg: 300,
    clearBelowFraction: 0.9,
    // 45 % rather than Alaris's 50 %: a climb from a low settled pressure crosses half the limit about
    // halfway to the pump's alarm, and under sensor noise the warning came 49.5 % earlier at 0.5 mL/h;
    // at 45 % it came 53 % earlier, for no false alert more (npm run scenarios -- --tradeoff).
    developingFraction: 0.45,
    developingMinSlope_mmHg_min: 1,
    developingWindowMs: 60_000,
    developingClearFraction: 0.4,
    developingMinRise_mmHg: 30,
    developingRiseNoiseFactor: 3,
    developingMinT: 3,
    developingMinDurationMs: 60_000,
    developingHoldOffMs: 300_000,
    developingBaselineMs: 600_000,
    lineCompliance_mL_per_mmHg: 1.4e-3,
  },
  infiltration: {
    factor: 2,
    clearFactor: 1.6,
    minRise_mmHg: 10,
    noiseFactor: 3,
    sustainMs: 120_000,
    holdOffMs: 300_000,
    baselineLearnMs: 180_000,
    settleMs: 30_000,
    baselineMs: 1_800_000,
    smoothingMs: 60_000,
    venousPressure_mmHg: 8,
    occlusionSlopeFraction: 0.25,
  },
  rateDeviation: {
    relative: 0.1,
    absolute_mL_h: 0.2,
    windowMs: 600_000,
    minWindowVolume_mL: 1,
    maxWindowMs: 3_600_000,
    clearFraction: 0.8,
  },
  freeFlow: { factor: 1.5, windowMs: 120_000, minExcess_mL: 1, notInfusingVolume_mL: 0.5 },
  unexpectedStop: { mediumAfterMs: 120_000, highAfterMs: 600_000 },
  nearEnd: { remainingMs: 30 * 60_000, clearMarginMs: 3 * 60_000 },
  battery: { lowPct: 20, criticalPct: 5, hysteresisPct: 3 },
  clockSkew: { maxSkewMs: 30_000, clearBelowMs: 25_000 },
  pumpAlarm: {
    // IDS annunciation types and pump manuals: what stops delivery or harms is high.
    priorities: {
      upstream_occlusion: 'high',
      reservoir_empty: 'high',
      set_detached: 'high',
      malfunction: 'high',
      reservoir_low: 'medium',
      door_open: 'medium',
      temperature: 'medium',
    },
    unknownPriority: 'medium',
  },
  dose: { lateAfterMs: 60 * 60_000, highAfterMs: 120 * 60_000, earlyBeforeMs: 120 * 60_000 },
  unassignedInfusing: { afterMs: 5 * 60_000 },
  liveness: { pumpOfflineAfterMs: 30_000 },
  retrigger: {
    holdOffMs: 300_000,
    // Each of these ends its episode for good: a second completion is a new program's, a dose missed or
    // early is that dose's alone.
    byRule: { infusion_complete: 0, dose_missed: 0, dose_early: 0 },
  },
};

/** How long after resolving an alert of `rule` reopens when its condition returns. */
export function reopenWithinMs(params: EngineParams, rule: RuleId): number {
  return params.retrigger.byRule[rule] ?? params.retrigger.holdOffMs;
}

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/**
 * Defaults, then global overrides, then a pump's own: each level replaces only what it names. The result
 * is validated, so a misspelt or mistyped override fails at start with its path, not silently later.
 */
export function resolveParams(
  base: EngineParams,
  ...overrides: Array<DeepPartial<EngineParams> | Record<string, unknown> | undefined>
): EngineParams {
  let result: unknown = base;
  for (const override of overrides) if (override) result = merge(result, override);
  const parsed = strictParamsSchema.safeParse(result);
  if (parsed.success) return parsed.data as EngineParams;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const list = issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`).join('\n');
  throw new PumpwatchError('CONFIG_INVALID', `invalid engine parameters:\n${list}`, issues);
}

/** Unknown keys are errors here: a typo in an override must not be ignored. */
const strictParamsSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(engineParamsSchema.shape).map(([key, value]) => [
      key,
      key === 'pumpAlarm' ? value : z.strictObject((value as z.ZodObject).shape),
    ]),
  ),
);

function merge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  // Own keys only, defined rather than assigned: an override from JSON may carry a `__proto__` key,
  // which assigned would swap the result's prototype and read through to Object.prototype (#11). Defined,
  // it is an unknown key that the strict schema names.
  for (const [key, value] of Object.entries(override)) {
    const inherited = Object.hasOwn(base, key) ? base[key] : undefined;
    Object.defineProperty(out, key, {
      value: merge(inherited, value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
