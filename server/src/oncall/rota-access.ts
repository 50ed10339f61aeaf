import type { EscalationPolicy, Override, Rotation } from '@pumpwatch/protocol';
import { hasRole, type Identity } from '../auth/roles.js';

/**
 * Who may change a team's on-call records (docs/oncall.md#who-may-change-what). The route's declared
 * access is the floor (a nurse: a viewer cannot acknowledge, so cannot be on call); these rules decide
 * per team and per person.
 */

/** A coordinator or admin, or the lead the team's own policy names. */
export function mayEditRota(who: Identity, policy: EscalationPolicy | undefined): boolean {
  return (
    hasRole(who.role, 'coordinator') || (policy?.leadUsername != null && policy.leadUsername === who.username)
  );
}

/** Only a coordinator or admin names (or changes) the team lead: a lead cannot hand the role on. */
export function mayNameLead(who: Identity): boolean {
  return hasRole(who.role, 'coordinator');
}

/**
 * A rota editor may put anyone on an override; anyone else only themselves, and only on a rotation of
 * a team they belong to (its members, or the rotation's), so a stranger cannot take a team's pages.
 */
export function mayOverride(
  who: Identity,
  editor: boolean,
  override: Pick<Override, 'username'>,
  rotation: Rotation,
  teamMembers: readonly string[],
): boolean {
  if (editor) return true;
  if (override.username !== who.username) return false;
  return teamMembers.includes(who.username) || rotation.members.includes(who.username);
}

/** An override is changed or cancelled by a rota editor, the person it puts on call, or its author. */
export function mayChangeOverride(who: Identity, editor: boolean, override: Override): boolean {
  return editor || override.username === who.username || override.createdBy === who.username;
}
