import type { SampleRule } from '../types.js';

/**
 * battery_low (ALARMS.md; IDS BATTERY_LOW / BATTERY_EMPTY): ≤ 20 % or the pump's flag → medium;
 * ≤ 5 % or battery empty → high. Only while running on battery, or when the pump flags it.
 */
export const batteryLow: SampleRule = {
  id: 'battery_low',
  evaluate(sample, wasActive, params) {
    const { lowPct, criticalPct, hysteresisPct } = params.battery;
    const empty = sample.alarms.includes('battery_empty');
    const flaggedLow = sample.alarms.includes('battery_low');
    const pct = sample.battery_pct;
    const onBattery = sample.onBattery !== false;
    const threshold = wasActive ? lowPct + hysteresisPct : lowPct;
    const lowByLevel = onBattery && pct !== undefined && pct <= threshold;
    if (!empty && !flaggedLow && !lowByLevel) return null;
    const critical = empty || (onBattery && pct !== undefined && pct <= criticalPct);
    return {
      rule: 'battery_low',
      priority: critical ? 'high' : 'medium',
      message: critical
        ? 'Battery nearly empty: connect the pump to mains power now.'
        : 'Battery low: connect the pump to mains power.',
      details: { battery_pct: pct ?? null, onBattery: sample.onBattery ?? null },
    };
  },
};
