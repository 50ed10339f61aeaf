import { z } from 'zod';
import { isoDateSchema } from './care.js';
import { idSchema } from './ids.js';

/**
 * On call (docs/oncall.md): per care team, rotations of members in order, overrides of single shifts
 * ("I take Tuesday night for Sam"), and the escalation policy that says whom each step pages. Times are
 * epoch ms; a rotation's handoff is a wall-clock time in the team's IANA time zone, so it stays 07:00
 * local across daylight-saving changes (that day's shift is 23 h or 25 h long).
 */

const epochMs = z.number().int().nonnegative();
/** A person, as the server's usernames are spelt (`POST /api/users`). */
export const onCallUsernameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a username: letters, digits and _ . @ - only');
/** A wall-clock time `HH:MM` (24 h), in the team's time zone. */
export const handoffTimeSchema = z
  .string()
  .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'a time of day HH:MM, 00:00 to 23:59');
/** ISO weekday: 1 = Monday … 7 = Sunday (as luxon and ISO 8601 count them). */
export const isoWeekdaySchema = z.number().int().min(1).max(7);

export const shiftKinds = ['daily', 'weekly'] as const;

const rotationFields = {
  name: z.string().trim().min(1).max(120),
  shift: z.enum(shiftKinds),
  handoffTime: handoffTimeSchema,
  /** Weekly shifts only: the weekday of the handoff. */
  handoffWeekday: isoWeekdaySchema.optional(),
  /** The first shift begins at the first handoff on or after this date (local to the team). */
  startDate: isoDateSchema,
  /** Who takes the shifts, in turn from the first shift on; a name may appear more than once. */
  members: z.array(onCallUsernameSchema).max(100),
};

function weeklyNeedsWeekday(
  rotation: { shift: string; handoffWeekday?: number | undefined },
  ctx: z.RefinementCtx,
) {
  if (rotation.shift === 'weekly' && rotation.handoffWeekday === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['handoffWeekday'],
      message: 'a weekly rotation needs its handoff weekday (1 = Monday … 7 = Sunday)',
    });
  if (rotation.shift === 'daily' && rotation.handoffWeekday !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['handoffWeekday'],
      message: 'a daily rotation hands off every day: leave the weekday out',
    });
}

/** What a team lead or coordinator sends to create or change a rotation (`id` names one to change). */
export const rotationInputSchema = z
  .object({ id: idSchema.optional(), ...rotationFields })
  .superRefine(weeklyNeedsWeekday);
export type RotationInput = z.input<typeof rotationInputSchema>;

export const rotationSchema = z
  .object({
    id: idSchema,
    teamId: idSchema,
    ...rotationFields,
    /** Set when a `PUT` of the team's rotations left it out: kept for the audit trail, pages nobody. */
    archivedAt: epochMs.nullable().default(null),
    createdAt: epochMs,
    updatedAt: epochMs,
    updatedBy: z.string(),
  })
  .superRefine(weeklyNeedsWeekday);
export type Rotation = z.infer<typeof rotationSchema>;

/** `PUT /api/teams/{id}/rotations`: the team's rotations as a whole (one left out is ended: below). */
export const rotationsBodySchema = z.array(rotationInputSchema).max(50);

const overrideFields = {
  rotationId: idSchema,
  /** Who is on call instead. */
  username: onCallUsernameSchema,
  /**
   * Whom it replaces: the override holds only while this person is the one on call then (so "Sam's
   * Tuesday night" stays Sam's if the rota moves). Null: whoever is on call.
   */
  replaces: onCallUsernameSchema.nullable().default(null),
  from: epochMs,
  to: epochMs,
  note: z.string().trim().max(500).default(''),
};

function toAfterFrom(override: { from: number; to: number }, ctx: z.RefinementCtx) {
  if (override.to <= override.from)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'an override ends after it begins' });
  // A rota is planned weeks ahead, not years: a typo of a year stays visible.
  if (override.to - override.from > 31 * 24 * 3600_000)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'an override lasts at most 31 days' });
}

export const overrideInputSchema = z.object(overrideFields).superRefine(toAfterFrom);
export type OverrideInput = z.input<typeof overrideInputSchema>;

export const overrideSchema = z
  .object({
    id: idSchema,
    teamId: idSchema,
    ...overrideFields,
    createdAt: epochMs,
    createdBy: z.string(),
    /** Cancelled overrides are kept (audit, the calendar feed's history) but hold no more. */
    cancelledAt: epochMs.nullable(),
    cancelledBy: z.string().nullable(),
  })
  .superRefine(toAfterFrom);
export type Override = z.infer<typeof overrideSchema>;

/** Whom a step pages. `webhook` carries today's config tiers (docs/oncall.md#the-default-policy). */
export const escalationTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rotation'), rotationId: idSchema }),
  z.object({ kind: z.literal('user'), username: onCallUsernameSchema }),
  z.object({ kind: z.literal('team_lead') }),
  z.object({ kind: z.literal('webhook'), url: z.url({ protocol: /^https?$/ }) }),
]);
export type EscalationTarget = z.infer<typeof escalationTargetSchema>;

// At least a second (tests run escalation in seconds), at most a day.
const delayMs = z
  .number()
  .int()
  .min(1000)
  .max(24 * 3600_000);
/** The clinical reference's proposed defaults (docs/alerts.md): high 2 min, medium 10 min, low not paged. */
export const DEFAULT_STEP_DELAYS = { high: 120_000, medium: 600_000, low: null } as const;

export const escalationStepSchema = z.object({
  /**
   * Empty only in a default policy built from a config tier without webhooks: that step reaches the
   * consoles alone, as the tier did (every console shows every alert).
   */
  targets: z.array(escalationTargetSchema).max(20),
  /** The wait before the NEXT step, per priority; null: alerts of this priority are not paged here. */
  delayMs: z
    .object({ high: delayMs, medium: delayMs, low: delayMs.nullable() })
    .default({ ...DEFAULT_STEP_DELAYS }),
});
export type EscalationStep = z.infer<typeof escalationStepSchema>;

export const stopConditions = ['acknowledged', 'resolved'] as const;

const policyFields = {
  /** The team lead: edits the rota, and the target of `{kind: 'team_lead'}`. */
  leadUsername: onCallUsernameSchema.nullable().default(null),
  steps: z.array(escalationStepSchema).min(1).max(10),
  /** How many more times the whole policy runs after its last step while nobody acknowledges. */
  repeat: z.number().int().min(0).max(10).default(2),
  stopOn: z
    .array(z.enum(stopConditions))
    .min(1)
    .default(['acknowledged', 'resolved'])
    .transform((stops) => [...new Set(stops)]),
};

export const escalationPolicyInputSchema = z.object(policyFields).superRefine((policy, ctx) => {
  policy.steps.forEach((step, index) => {
    if (step.targets.length === 0)
      ctx.addIssue({ code: 'custom', path: ['steps', index, 'targets'], message: 'a step pages someone' });
  });
});
export type EscalationPolicyInput = z.input<typeof escalationPolicyInputSchema>;

export const escalationPolicySchema = z.object({
  teamId: idSchema,
  ...policyFields,
  /** Null for the default policy, which is built from the config and never stored. */
  updatedAt: epochMs.nullable(),
  updatedBy: z.string().nullable(),
});
export type EscalationPolicy = z.infer<typeof escalationPolicySchema>;

/** `GET /api/teams/{id}/escalation-policy`: the team's own policy, or the default (`isDefault`). */
export const escalationPolicyResponseSchema = escalationPolicySchema.extend({ isDefault: z.boolean() });
export type EscalationPolicyResponse = z.infer<typeof escalationPolicyResponseSchema>;

/** Who one rotation has on call at one instant, and the interval over which that answer holds. */
export const onCallAnswerSchema = z.object({
  username: onCallUsernameSchema.nullable(),
  /** Null before the rotation's first handoff. */
  shiftStart: epochMs.nullable(),
  /** Where the answer may change next: the next handoff, or an override's start or end. */
  shiftEnd: epochMs,
  /** The person the rota had on call, when an override put someone else there. */
  overriddenFrom: onCallUsernameSchema.optional(),
  overrideId: idSchema.optional(),
});
export type OnCallAnswer = z.infer<typeof onCallAnswerSchema>;

/** `GET /api/teams/{id}/oncall?at=`. */
export const teamOnCallResponseSchema = z.object({
  teamId: idSchema,
  at: epochMs,
  timeZone: z.string(),
  rotations: z.array(onCallAnswerSchema.extend({ rotationId: idSchema, rotationName: z.string() })),
});
export type TeamOnCallResponse = z.infer<typeof teamOnCallResponseSchema>;

/** `POST /api/me/oncall-feed-token`: the feed URL, shown once (only a hash of the token is kept). */
export const feedTokenResponseSchema = z.object({
  username: z.string(),
  token: z.string(),
  /** Path and query of the user's calendar feed; prefix the server's origin. */
  feedPath: z.string(),
  createdAt: epochMs,
});
export type FeedTokenResponse = z.infer<typeof feedTokenResponseSchema>;
