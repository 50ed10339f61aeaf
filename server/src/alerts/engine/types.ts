import type { Priority, RuleId, TelemetrySample } from '@pumpwatch/protocol';
import type { EngineParams } from './params.js';

/** A rule's finding that its condition holds now. */
export interface Condition {
  rule: RuleId;
  priority: Priority;
  message: string;
  details: Record<string, unknown>;
}

/**
 * A rule evaluated on each sample. `wasActive` lets a rule apply hysteresis: a value hovering at a limit
 * must not raise and clear an alert on alternate samples.
 */
export interface SampleRule {
  readonly id: RuleId;
  evaluate(sample: TelemetrySample, wasActive: boolean, params: EngineParams): Condition | null;
}
