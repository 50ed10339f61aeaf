import { randomUUID } from 'node:crypto';
import {
  type CareTeam,
  type EscalationPolicy,
  type EscalationPolicyInput,
  escalationPolicyInputSchema,
  type Override,
  type OverrideInput,
  overrideInputSchema,
  type Rotation,
  type RotationInput,
  rotationsBodySchema,
  type TeamOnCallResponse,
} from '@pumpwatch/protocol';
import type { AuditLog } from '../auth/audit-log.js';
import type { Identity } from '../auth/roles.js';
import type { CareDirectory } from '../care/care-directory.js';
import { Quarantine } from '../store/quarantine.js';
import { defaultPolicyFromConfig, type EscalationConfig } from './default-policy.js';
import { feedTokenHash, feedTokenMatches, newFeedToken } from './feed-token.js';
import { type FeedShift, renderShiftFeed } from './ics-feed.js';
import { OnCallDirectory } from './oncall-directory.js';
import { OnCallError } from './oncall-error.js';
import type { OnCallStore } from './ports.js';
import { recipientsOfStep, type StepRecipients } from './recipients.js';
import { mayChangeOverride, mayEditRota, mayNameLead, mayOverride } from './rota-access.js';
import { onCallAt, shiftsOf } from './schedule.js';

export interface OnCallServiceDeps {
  store: OnCallStore;
  audit: Pick<AuditLog, 'record'>;
  /** The care teams (the care service's directory): names, time zones, members, patients. */
  teams: Pick<CareDirectory, 'team' | 'allTeams' | 'findPatients'>;
  /** Today's `escalation` config: the default policy of a team without one. */
  escalation: EscalationConfig;
  now: () => number;
  /**
   * Whether a credential issued at `issuedAt` still belongs to the account named `username` (the user
   * service's `acceptsSession`): a feed ends with its account, as sessions do. Always, without it.
   */
  acceptsCredential?: (username: string, issuedAt: number) => Promise<boolean>;
  /** New record ids; random by default (`rot_…`, `ovr_…`). */
  newId?: (prefix: string) => string;
}

/** Why `teamsWithNobodyOnCall` names a team. */
export interface UnreachableTeam {
  teamId: string;
  reason: 'no_rotation' | 'nobody_on_call';
}

/** What the calendar feed shows: from two weeks back (a shift just worked) to three months ahead. */
const FEED_PAST_MS = 14 * 24 * 3600_000;
const FEED_AHEAD_MS = 92 * 24 * 3600_000;

const randomId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

/**
 * Rotations, overrides and escalation policies per care team (docs/oncall.md): every change validated,
 * stored (resolving once durable), audited with before and after. Reads come from the in-memory
 * directory and take the instant as an argument, so the paging engine asks "who at t" for any t.
 */
export class OnCallService {
  readonly directory = new OnCallDirectory();

  constructor(private readonly deps: OnCallServiceDeps) {}

  /** Reads every on-call record back; a bad one is quarantined (counted with the care records). */
  async restore(quarantine: Quarantine = new Quarantine()): Promise<void> {
    const { store } = this.deps;
    const bad = quarantine.badRows('care');
    for (const rotation of await store.rotations.all(bad)) this.directory.putRotation(rotation);
    for (const override of await store.overrides.all(bad)) this.directory.putOverride(override);
    for (const policy of await store.policies.all(bad)) this.directory.putPolicy(policy);
    for (const token of await store.feedTokens.all(bad)) this.directory.putFeedToken(token);
  }

  // --- Answers --------------------------------------------------------------------------------------

  /** The service's clock (the server's): routes answer "now" with it, so tests can move it. */
  now(): number {
    return this.deps.now();
  }

  /** The team's rotations that page, by name. */
  rotationsOf(teamId: string): Rotation[] {
    this.requireTeam(teamId);
    return this.directory.rotationsOf(teamId);
  }

  /** Who each of the team's rotations has on call at `at`. */
  whoIsOnCall(teamId: string, at: number): TeamOnCallResponse {
    const team = this.requireTeam(teamId);
    const overrides = this.directory.overridesOf(teamId);
    return {
      teamId,
      at,
      timeZone: team.timeZone,
      rotations: this.directory.rotationsOf(teamId).map((rotation) => ({
        rotationId: rotation.id,
        rotationName: rotation.name,
        ...onCallAt(rotation, overrides, team.timeZone, at),
      })),
    };
  }

  /**
   * The team's own policy, else the default from the config. A team with rotations but no policy of its
   * own gets them as targets of the default's first step, so whoever is on call is paged first.
   */
  policyOf(teamId: string): EscalationPolicy & { isDefault: boolean } {
    this.requireTeam(teamId);
    const own = this.directory.policy(teamId);
    if (own) return { ...own, isDefault: false };
    const policy = defaultPolicyFromConfig(this.deps.escalation, teamId);
    const rotations = this.directory.rotationsOf(teamId);
    const [first, ...rest] = policy.steps;
    if (rotations.length === 0 || !first) return { ...policy, isDefault: true };
    const rotationTargets = rotations.map((rotation) => ({
      kind: 'rotation' as const,
      rotationId: rotation.id,
    }));
    return {
      ...policy,
      steps: [{ ...first, targets: [...rotationTargets, ...first.targets] }, ...rest],
      isDefault: true,
    };
  }

  /** Whom step `stepIndex` of the team's policy pages at `at` (recipients.ts). */
  recipientsOfStep(teamId: string, stepIndex: number, at: number): StepRecipients {
    const team = this.requireTeam(teamId);
    return recipientsOfStep(this.policyOf(teamId), stepIndex, {
      at,
      timeZone: team.timeZone,
      rotations: this.directory.rotationsOf(teamId),
      overrides: this.directory.overridesOf(teamId),
    });
  }

  /**
   * Teams nobody can be paged for at `at`: rotations that all resolve to nobody, or patients (active)
   * and no rotation at all. The paging engine raises "nobody reachable" for each.
   */
  teamsWithNobodyOnCall(at: number): UnreachableTeam[] {
    const withRotations = this.directory.teamsWithRotations();
    const out: UnreachableTeam[] = [];
    for (const team of this.deps.teams.allTeams()) {
      if (withRotations.has(team.id)) {
        const { rotations } = this.whoIsOnCall(team.id, at);
        if (rotations.every((rotation) => rotation.username === null))
          out.push({ teamId: team.id, reason: 'nobody_on_call' });
      } else if (this.deps.teams.findPatients({ teamId: team.id, status: 'active' }).length > 0) {
        out.push({ teamId: team.id, reason: 'no_rotation' });
      }
    }
    return out;
  }

  /** True when `who` may change the team's rotations and policy steps. */
  mayEdit(teamId: string, who: Identity): boolean {
    return mayEditRota(who, this.directory.policy(teamId));
  }

  // --- Rotations ------------------------------------------------------------------------------------

  /**
   * The team's rotations as a whole: an input with an `id` changes that rotation, one without creates
   * one, and a rotation left out is archived (kept, pages nobody). Only what changed is stored.
   */
  async putRotations(teamId: string, inputs: RotationInput[], by: Identity): Promise<Rotation[]> {
    this.requireTeam(teamId);
    this.requireEditor(teamId, by);
    const parsed = rotationsBodySchema.parse(inputs);
    const current = new Map(this.directory.rotationsOf(teamId).map((rotation) => [rotation.id, rotation]));
    parsed.forEach((input, index) => {
      if (input.id !== undefined && !current.has(input.id))
        throw new OnCallError(
          'ROTATION_NOT_FOUND',
          `team ${teamId} has no rotation ${input.id} (item ${index})`,
        );
    });
    const now = this.deps.now();
    const kept = new Set<string>();
    for (const { id, ...fields } of parsed) {
      const before = id === undefined ? undefined : current.get(id);
      const rotation: Rotation = {
        ...fields,
        id: before?.id ?? this.newId('rot'),
        teamId,
        archivedAt: null,
        createdAt: before?.createdAt ?? now,
        updatedAt: now,
        updatedBy: by.username,
      };
      kept.add(rotation.id);
      if (before && sameRotation(before, rotation)) continue;
      await this.saveRotation(
        by.username,
        before ? 'rotation_updated' : 'rotation_created',
        before,
        rotation,
      );
    }
    for (const before of current.values()) {
      if (kept.has(before.id)) continue;
      const archived = { ...before, archivedAt: now, updatedAt: now, updatedBy: by.username };
      await this.saveRotation(by.username, 'rotation_archived', before, archived);
    }
    return this.directory.rotationsOf(teamId);
  }

  private async saveRotation(by: string, action: string, before: Rotation | undefined, after: Rotation) {
    await this.deps.store.rotations.put(after);
    this.directory.putRotation(after);
    await this.deps.audit.record(by, action, after.id, before ?? null, after);
  }

  // --- Overrides ------------------------------------------------------------------------------------

  /** The team's overrides that hold and end after `from` (all of them, cancelled too, with `all`). */
  overridesOf(teamId: string, from: number, all = false): Override[] {
    this.requireTeam(teamId);
    return this.directory
      .overridesOf(teamId)
      .filter((override) => all || (override.cancelledAt === null && override.to > from));
  }

  async createOverride(teamId: string, input: OverrideInput, by: Identity): Promise<Override> {
    const team = this.requireTeam(teamId);
    const parsed = overrideInputSchema.parse(input);
    const rotation = this.requireRotation(teamId, parsed.rotationId);
    if (!mayOverride(by, this.mayEdit(teamId, by), parsed, rotation, team.members))
      throw new OnCallError(
        'FORBIDDEN',
        'you may add an override only for yourself, on a rotation of your team',
      );
    const override: Override = {
      ...parsed,
      id: this.newId('ovr'),
      teamId,
      createdAt: this.deps.now(),
      createdBy: by.username,
      cancelledAt: null,
      cancelledBy: null,
    };
    await this.saveOverride(by.username, 'override_created', null, override);
    return override;
  }

  async updateOverride(teamId: string, id: string, input: OverrideInput, by: Identity): Promise<Override> {
    const team = this.requireTeam(teamId);
    const before = this.requireOverride(teamId, id);
    const parsed = overrideInputSchema.parse(input);
    const rotation = this.requireRotation(teamId, parsed.rotationId);
    const editor = this.mayEdit(teamId, by);
    if (!mayChangeOverride(by, editor, before) || !mayOverride(by, editor, parsed, rotation, team.members))
      throw new OnCallError('FORBIDDEN', 'you may change only your own overrides, for yourself');
    const override: Override = { ...before, ...parsed };
    await this.saveOverride(by.username, 'override_updated', before, override);
    return override;
  }

  /** Cancels an override (kept, holds no more); cancelling one already cancelled changes nothing. */
  async cancelOverride(teamId: string, id: string, by: Identity): Promise<Override> {
    this.requireTeam(teamId);
    const before = this.requireOverride(teamId, id);
    if (!mayChangeOverride(by, this.mayEdit(teamId, by), before))
      throw new OnCallError('FORBIDDEN', 'you may cancel only your own overrides');
    if (before.cancelledAt !== null) return before;
    const override: Override = { ...before, cancelledAt: this.deps.now(), cancelledBy: by.username };
    await this.saveOverride(by.username, 'override_cancelled', before, override);
    return override;
  }

  private async saveOverride(by: string, action: string, before: Override | null, after: Override) {
    await this.deps.store.overrides.put(after);
    this.directory.putOverride(after);
    await this.deps.audit.record(by, action, after.id, before, after);
  }

  // --- Policy ---------------------------------------------------------------------------------------

  async setPolicy(teamId: string, input: EscalationPolicyInput, by: Identity): Promise<EscalationPolicy> {
    this.requireTeam(teamId);
    this.requireEditor(teamId, by);
    const parsed = escalationPolicyInputSchema.parse(input);
    const before = this.directory.policy(teamId);
    if ((before?.leadUsername ?? null) !== parsed.leadUsername && !mayNameLead(by))
      throw new OnCallError('FORBIDDEN', 'only a coordinator or an admin names the team lead');
    const rotations = new Set(this.directory.rotationsOf(teamId).map((rotation) => rotation.id));
    const issues = parsed.steps.flatMap((step, s) =>
      step.targets.flatMap((target, t) =>
        target.kind === 'rotation' && !rotations.has(target.rotationId)
          ? [
              {
                path: `steps.${s}.targets.${t}.rotationId`,
                message: `team ${teamId} has no rotation ${target.rotationId}`,
              },
            ]
          : [],
      ),
    );
    if (issues.length > 0)
      throw new OnCallError('ONCALL_INVALID', 'the policy names unknown rotations', issues);
    const policy: EscalationPolicy = {
      ...parsed,
      teamId,
      updatedAt: this.deps.now(),
      updatedBy: by.username,
    };
    await this.deps.store.policies.put(policy);
    this.directory.putPolicy(policy);
    await this.deps.audit.record(by.username, 'escalation_policy_set', teamId, before ?? null, policy);
    return policy;
  }

  // --- Calendar feed --------------------------------------------------------------------------------

  /** A new feed token for `username`, replacing any earlier one; the token is returned only now. */
  async rotateFeedToken(username: string): Promise<{ token: string; createdAt: number }> {
    const token = newFeedToken();
    const createdAt = this.deps.now();
    const stored = { username, sha256: feedTokenHash(token), createdAt };
    await this.deps.store.feedTokens.put(stored);
    this.directory.putFeedToken(stored);
    // Never the token nor its hash in the audit log: the log is read by admins, the URL is the user's.
    await this.deps.audit.record(username, 'oncall_feed_token_created', username);
    return { token, createdAt };
  }

  /** Ends the user's feed URL; true when there was one. */
  async revokeFeedToken(username: string): Promise<boolean> {
    const current = this.directory.feedToken(username);
    if (!current || current.sha256 === null) return false;
    const stored = { username, sha256: null, createdAt: current.createdAt };
    await this.deps.store.feedTokens.put(stored);
    this.directory.putFeedToken(stored);
    await this.deps.audit.record(username, 'oncall_feed_token_revoked', username);
    return true;
  }

  async feedTokenValid(username: string, token: string): Promise<boolean> {
    const stored = this.directory.feedToken(username);
    if (!stored || !feedTokenMatches(token, stored.sha256)) return false;
    return this.deps.acceptsCredential ? this.deps.acceptsCredential(username, stored.createdAt) : true;
  }

  /** The iCalendar text of `username`'s shifts in every team, around `at`. */
  feedOf(username: string, at: number): string {
    const shifts: FeedShift[] = [];
    for (const team of this.deps.teams.allTeams()) {
      const rotations = this.directory.rotationsOf(team.id);
      const names = new Map(rotations.map((rotation) => [rotation.id, rotation.name]));
      const overrides = this.directory.overridesOf(team.id);
      for (const shift of shiftsOf(
        username,
        rotations,
        overrides,
        team.timeZone,
        at - FEED_PAST_MS,
        at + FEED_AHEAD_MS,
      ))
        shifts.push({ ...shift, teamName: team.name, rotationName: names.get(shift.rotationId) ?? '' });
    }
    shifts.sort((a, b) => a.start - b.start);
    return renderShiftFeed(username, shifts, at);
  }

  // --- Inside ---------------------------------------------------------------------------------------

  private requireEditor(teamId: string, by: Identity): void {
    if (!this.mayEdit(teamId, by))
      throw new OnCallError(
        'FORBIDDEN',
        "only the team lead, a coordinator or an admin changes the team's rota",
      );
  }

  private requireTeam(id: string): CareTeam {
    const team = this.deps.teams.team(id);
    if (!team) throw new OnCallError('TEAM_NOT_FOUND', `no care team ${id}`);
    return team;
  }

  private requireRotation(teamId: string, id: string): Rotation {
    const rotation = this.directory.rotation(id);
    if (!rotation || rotation.teamId !== teamId || rotation.archivedAt !== null)
      throw new OnCallError('ROTATION_NOT_FOUND', `team ${teamId} has no rotation ${id}`);
    return rotation;
  }

  private requireOverride(teamId: string, id: string): Override {
    const override = this.directory.override(id);
    if (!override || override.teamId !== teamId)
      throw new OnCallError('OVERRIDE_NOT_FOUND', `team ${teamId} has no override ${id}`);
    return override;
  }

  private newId(prefix: string): string {
    return (this.deps.newId ?? randomId)(prefix);
  }
}

/** Equal in everything a rota editor sets (the bookkeeping fields aside). */
function sameRotation(a: Rotation, b: Rotation): boolean {
  const fields = (r: Rotation) =>
    JSON.stringify([r.name, r.shift, r.handoffTime, r.handoffWeekday ?? null, r.startDate, r.members]);
  return fields(a) === fields(b);
}
