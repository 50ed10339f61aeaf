import type { RuleId, TelemetrySample } from '@pumpwatch/protocol';
import type { EngineParams } from './params.js';
import { airInLine } from './rules/air-in-line.js';
import { batteryLow } from './rules/battery-low.js';
import { occlusionDownstream } from './rules/occlusion-downstream.js';
import type { Condition, SampleRule } from './types.js';

export const sampleRules: readonly SampleRule[] = [occlusionDownstream, airInLine, batteryLow];
export const sampleRuleIds: readonly RuleId[] = sampleRules.map((rule) => rule.id);

/** Per-pump engine state: which sample rules hold, and the newest event time evaluated. */
export interface PumpEngineState {
  readonly active: Set<RuleId>;
  lastTs: number;
}

export function initialPumpEngineState(): PumpEngineState {
  return { active: new Set(), lastTs: Number.NEGATIVE_INFINITY };
}

/**
 * Pure: evaluates every sample rule on one sample, using only the sample's own time. Returns the
 * conditions that hold, or null for a sample older than one already evaluated (a late redelivery is
 * stored but must not move the pump's alert state backwards).
 */
export function evaluateSample(
  state: PumpEngineState,
  sample: TelemetrySample,
  params: EngineParams,
): Map<RuleId, Condition> | null {
  if (sample.ts < state.lastTs) return null;
  state.lastTs = sample.ts;
  const conditions = new Map<RuleId, Condition>();
  for (const rule of sampleRules) {
    const condition = rule.evaluate(sample, state.active.has(rule.id), params);
    if (condition) {
      conditions.set(rule.id, condition);
      state.active.add(rule.id);
    } else {
      state.active.delete(rule.id);
    }
  }
  return conditions;
}
