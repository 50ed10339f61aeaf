import type {
  EscalationPolicy,
  EscalationStep,
  EscalationTarget,
  Override,
  Priority,
  Rotation,
} from '@pumpwatch/protocol';
import { onCallAt } from './schedule.js';

/** What resolving a step needs: the team's rotations and overrides, its time zone, the instant. */
export interface RecipientContext {
  at: number;
  timeZone: string;
  rotations: readonly Rotation[];
  overrides: readonly Override[];
}

/** Whom one step pages at one instant. */
export interface StepRecipients {
  /** People to page, each once, in the order of the step's targets. */
  usernames: string[];
  /** Webhook URLs of the step (today's config tiers: docs/oncall.md#the-default-policy). */
  webhooks: string[];
  /** Targets that resolved to nobody: an unknown or empty rotation, before its start, no team lead. */
  unresolved: EscalationTarget[];
}

/**
 * Whom step `stepIndex` (0-based, within `policy.steps`) pages at `ctx.at`. Pure. A step index outside
 * the policy is a caller's bug and throws; walking the repeats is `escalationStep`'s.
 */
export function recipientsOfStep(
  policy: EscalationPolicy,
  stepIndex: number,
  ctx: RecipientContext,
): StepRecipients {
  const step = policy.steps[stepIndex];
  if (!Number.isInteger(stepIndex) || !step)
    throw new RangeError(`step ${stepIndex} is outside the policy's ${policy.steps.length} steps`);
  const usernames = new Set<string>();
  const webhooks = new Set<string>();
  const unresolved: EscalationTarget[] = [];
  for (const target of step.targets) {
    const person = resolve(target, policy, ctx);
    if (target.kind === 'webhook') webhooks.add(target.url);
    else if (person === null) unresolved.push(target);
    else usernames.add(person);
  }
  return { usernames: [...usernames], webhooks: [...webhooks], unresolved };
}

function resolve(target: EscalationTarget, policy: EscalationPolicy, ctx: RecipientContext): string | null {
  switch (target.kind) {
    case 'user':
      return target.username;
    case 'team_lead':
      return policy.leadUsername;
    case 'rotation': {
      const rotation = ctx.rotations.find((r) => r.id === target.rotationId);
      return rotation ? onCallAt(rotation, ctx.overrides, ctx.timeZone, ctx.at).username : null;
    }
    case 'webhook':
      return null;
  }
}

/** Where page number `attempt` (0 = the first, counted across repeats) falls in a policy. */
export interface EscalationPosition {
  stepIndex: number;
  /** 0 for the first run through the steps, then 1 … `repeat`. */
  pass: number;
  step: EscalationStep;
  /** The wait after this step before the next page; null: this priority is not paged at this step. */
  delayMs: number | null;
  /** True for the policy's very last page: after it, "nobody reachable" if nobody acknowledged. */
  last: boolean;
}

/**
 * Step and pass of page number `attempt` for an alert of `priority`; null once every pass is over. The
 * policy runs `1 + repeat` times (GoAlert counts repeats the same way).
 */
export function escalationStep(
  policy: EscalationPolicy,
  attempt: number,
  priority: Priority,
): EscalationPosition | null {
  const total = policy.steps.length * (policy.repeat + 1);
  if (!Number.isInteger(attempt) || attempt < 0 || attempt >= total) return null;
  const stepIndex = attempt % policy.steps.length;
  const step = policy.steps[stepIndex] as EscalationStep;
  return {
    stepIndex,
    pass: Math.floor(attempt / policy.steps.length),
    step,
    delayMs: step.delayMs[priority],
    last: attempt === total - 1,
  };
}
