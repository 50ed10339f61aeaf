import type { EscalationPolicy, EscalationStep } from '@pumpwatch/protocol';
import type { ServerConfig } from '../config.js';

export type EscalationConfig = ServerConfig['escalation'];

/** How often the default policy runs again after its last step (docs/oncall.md#the-default-policy). */
export const DEFAULT_REPEAT = 2;

/**
 * The policy of a team that has none of its own, from today's config (`escalation.tiers` and the
 * `*AfterMs` waits), so an existing config keeps paging what it paged: each tier is a step, in order;
 * its webhooks are the step's `{kind: 'webhook'}` targets; every step waits `highAfterMs` /
 * `mediumAfterMs` / `lowAfterMs` (null: low is not paged) before the next one. Where today's server
 * re-notifies the last tier until someone acknowledges, the policy runs through all tiers again,
 * `repeat` more times, and then it is over ("nobody reachable").
 */
export function defaultPolicyFromConfig(escalation: EscalationConfig, teamId = 'default'): EscalationPolicy {
  const delayMs = {
    high: escalation.highAfterMs,
    medium: escalation.mediumAfterMs,
    low: escalation.lowAfterMs,
  };
  const steps: EscalationStep[] = escalation.tiers.map((tier) => ({
    targets: tier.webhooks.map((url) => ({ kind: 'webhook' as const, url })),
    delayMs: { ...delayMs },
  }));
  return {
    teamId,
    leadUsername: null,
    steps,
    repeat: DEFAULT_REPEAT,
    stopOn: ['acknowledged', 'resolved'],
    updatedAt: null,
    updatedBy: null,
  };
}
