import type { EscalationPolicy, Override, Rotation } from '@pumpwatch/protocol';
import type { StoredFeedToken } from './ports.js';

/**
 * Every rotation, override, policy and feed-token hash, in memory and without I/O: the on-call store's
 * records, indexed by team. Answers are computed from here by the pure functions (schedule.ts,
 * recipients.ts) at the instant the caller names.
 */
export class OnCallDirectory {
  private readonly rotations = new Map<string, Rotation>();
  private readonly overrides = new Map<string, Override>();
  private readonly policies = new Map<string, EscalationPolicy>();
  private readonly feedTokens = new Map<string, StoredFeedToken>();

  putRotation(rotation: Rotation): void {
    this.rotations.set(rotation.id, rotation);
  }

  putOverride(override: Override): void {
    this.overrides.set(override.id, override);
  }

  putPolicy(policy: EscalationPolicy): void {
    this.policies.set(policy.teamId, policy);
  }

  putFeedToken(token: StoredFeedToken): void {
    this.feedTokens.set(token.username, token);
  }

  rotation(id: string): Rotation | undefined {
    return this.rotations.get(id);
  }

  override(id: string): Override | undefined {
    return this.overrides.get(id);
  }

  /** The team's rotations that page (not archived), by name. */
  rotationsOf(teamId: string): Rotation[] {
    return [...this.rotations.values()]
      .filter((rotation) => rotation.teamId === teamId && rotation.archivedAt === null)
      .sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
  }

  /** The team's overrides, cancelled ones included (schedule.ts skips those), oldest first. */
  overridesOf(teamId: string): Override[] {
    return [...this.overrides.values()]
      .filter((override) => override.teamId === teamId)
      .sort((a, b) => a.from - b.from || a.createdAt - b.createdAt);
  }

  /** The team's own policy; undefined when it has none (the default applies). */
  policy(teamId: string): EscalationPolicy | undefined {
    return this.policies.get(teamId);
  }

  feedToken(username: string): StoredFeedToken | undefined {
    return this.feedTokens.get(username);
  }

  /** Teams with any rotation, archived ones aside. */
  teamsWithRotations(): Set<string> {
    const teams = new Set<string>();
    for (const rotation of this.rotations.values())
      if (rotation.archivedAt === null) teams.add(rotation.teamId);
    return teams;
  }
}
