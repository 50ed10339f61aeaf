import type { EscalationPolicy } from '@pumpwatch/protocol';
import { defaultPolicyFromConfig, type EscalationConfig } from '../oncall/default-policy.js';
import type { OnCallService } from '../oncall/oncall-service.js';
import { recipientsOfStep } from '../oncall/recipients.js';
import type { OnCallAnswers } from './paging-service.js';

/**
 * The on-call service as the paging engine asks it. An alert without a care team (an unassigned pump)
 * goes along the config's default policy (its tiers' webhooks); a team with no way to page anyone is
 * reported to the engine, which raises nobody_reachable for it. A team whose policy reaches a webhook
 * (today's config tiers) is reachable even with no rotation: an existing config keeps working.
 */
export function onCallAnswers(deps: {
  oncall: OnCallService;
  escalation: EscalationConfig;
  /** Usernames of the admins, who are told of every nobody_reachable alarm. */
  admins: () => Promise<string[]>;
  /** Whether a care team of this id exists (the care directory). */
  teamExists: (teamId: string) => boolean;
}): OnCallAnswers {
  const { oncall, escalation } = deps;
  const fallback = defaultPolicyFromConfig(escalation);
  const known = (teamId: string | null): teamId is string => teamId !== null && deps.teamExists(teamId);
  const policyOf = (teamId: string | null): EscalationPolicy =>
    known(teamId) ? oncall.policyOf(teamId) : fallback;
  return {
    policyOf,
    recipientsOfStep: (teamId, stepIndex, at) =>
      known(teamId)
        ? oncall.recipientsOfStep(teamId, stepIndex, at)
        : recipientsOfStep(fallback, stepIndex, { at, timeZone: 'UTC', rotations: [], overrides: [] }),
    teamsWithNobodyOnCall: (at) =>
      oncall
        .teamsWithNobodyOnCall(at)
        .map((team) => team.teamId)
        .filter(
          (teamId) => !policyOf(teamId).steps.some((step) => step.targets.some((t) => t.kind === 'webhook')),
        ),
    escalationContacts: async (teamId) => {
      const lead = known(teamId) ? policyOf(teamId).leadUsername : null;
      return [...new Set([...(lead ? [lead] : []), ...(await deps.admins())])];
    },
    tierName: (stepIndex) => escalation.tiers[stepIndex]?.name ?? `step ${stepIndex + 1}`,
  };
}
