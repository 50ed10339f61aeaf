/**
 * Rule parameters. Defaults come from shared/design/ALARMS.md (rule catalog); each names its source.
 * Every value can be overridden globally and per pump (issue 4 deepens this).
 */
export interface EngineParams {
  occlusion: {
    /** Used when a sample carries no occlusionLimit_mmHg. Typical pump default. */
    defaultLimit_mmHg: number;
    /** Hysteresis: an active occlusion clears only below this fraction of the limit. */
    clearBelowFraction: number;
  };
  battery: {
    /** ALARMS.md battery_low: ≤ 20 % → medium. */
    lowPct: number;
    /** ALARMS.md battery_low: ≤ 5 % or battery empty → high. */
    criticalPct: number;
    /** Hysteresis: clears only this many points above the threshold. */
    hysteresisPct: number;
  };
  liveness: {
    /** ALARMS.md pump_offline: no valid sample for > max(3 × expected interval, 30 s). */
    pumpOfflineAfterMs: number;
  };
}

export const defaultEngineParams: EngineParams = {
  occlusion: { defaultLimit_mmHg: 300, clearBelowFraction: 0.9 },
  battery: { lowPct: 20, criticalPct: 5, hysteresisPct: 3 },
  liveness: { pumpOfflineAfterMs: 30_000 },
};
