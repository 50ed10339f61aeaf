import {
  type EscalationPolicyResponse,
  type Override,
  type Rotation,
  rotationsBodySchema,
  type TeamOnCallResponse,
} from '@pumpwatch/protocol';
import type { z } from 'zod';
import type { ApiFailure } from '../errors.js';
import type { Role } from '../session.js';
import { formatSpan, rotationNowText } from './oncall-text.js';

/**
 * The rota page (`#/oncall`, `#/teams/{id}/oncall`) as plain data: per team, who is on call now and the
 * next shifts of each rotation (from `?at=` answers: each shift's end is where the next answer is asked),
 * the overrides with "cancel", "I take this shift", and the rotation editor for the team lead, a
 * coordinator or an admin with each field's error next to it. Pure, so it is unit-tested.
 */

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** One stretch of one rotation with one person on call: a shift, or part of one cut by an override. */
export interface ShiftSegment {
  rotationId: string;
  username: string | null;
  start: number;
  end: number;
  overriddenFrom?: string | undefined;
  overrideId?: string | undefined;
}

/**
 * The segments of each rotation, in time order, from answers asked at increasing instants (the first at
 * "now"): the same stretch answered twice is kept once.
 */
export function segmentsOf(answers: readonly TeamOnCallResponse[]): Map<string, ShiftSegment[]> {
  const byRotation = new Map<string, ShiftSegment[]>();
  for (const answer of answers) {
    for (const r of answer.rotations) {
      const list = byRotation.get(r.rotationId) ?? [];
      const start = r.shiftStart ?? answer.at;
      if (!list.some((s) => s.end === r.shiftEnd && s.username === r.username)) {
        list.push({
          rotationId: r.rotationId,
          username: r.username,
          start: Math.max(start, list.at(-1)?.end ?? start),
          end: r.shiftEnd,
          overriddenFrom: r.overriddenFrom,
          overrideId: r.overrideId,
        });
      }
      byRotation.set(r.rotationId, list);
    }
  }
  for (const list of byRotation.values()) list.sort((a, b) => a.start - b.start);
  return byRotation;
}

/** How many shifts ahead the page shows per rotation (and so how many answers it asks for, at most). */
export const SHIFTS_AHEAD = 4;

/** The next instant to ask `?at=` for, so every rotation gets its next shifts; null when enough. */
export function nextQueryAt(answers: readonly TeamOnCallResponse[]): number | null {
  const segments = segmentsOf(answers);
  let next: number | null = null;
  for (const list of segments.values()) {
    if (list.length > SHIFTS_AHEAD) continue;
    const end = list.at(-1)?.end;
    if (end !== undefined && (next === null || end < next)) next = end;
  }
  const asked = new Set(answers.map((a) => a.at));
  return next !== null && !asked.has(next) ? next : null;
}

export interface ShiftRow {
  rotationId: string;
  username: string | null;
  text: string;
  from: number;
  to: number;
  /** "I take this shift": offered to a nurse and above for a shift that is not already hers. */
  canTake: boolean;
  now: boolean;
}

export interface OverrideRow {
  id: string;
  text: string;
  canCancel: boolean;
}

export interface RotationBlock {
  rotationId: string;
  name: string;
  /** "Daily, handoff 07:00 (Europe/London) · ana, ben, sam". */
  patternText: string;
  nowText: string;
  shifts: ShiftRow[];
}

export interface RotationFormRow {
  /** Index in the form; errors are keyed `${index}.${field}`. */
  index: number;
  id: string | undefined;
  name: string;
  shift: Rotation['shift'];
  handoffTime: string;
  handoffWeekday: string;
  startDate: string;
  members: string;
}

export interface TeamRota {
  teamId: string;
  teamName: string;
  timeZone: string;
  leadText: string;
  rotations: RotationBlock[];
  overrides: OverrideRow[];
  canEdit: boolean;
  form: RotationFormRow[];
  statusText: string;
}

export interface RotaViewer {
  username: string | null;
  role: Role | null;
}

/** Rota editors: the team lead (of the team's own policy), a coordinator or an admin (docs/oncall.md). */
export function canEditRota(viewer: RotaViewer, policy: EscalationPolicyResponse | null): boolean {
  if (viewer.role === null || viewer.role === 'coordinator' || viewer.role === 'admin') return true;
  const lead = policy && !policy.isDefault ? policy.leadUsername : null;
  return viewer.role !== 'viewer' && lead !== null && lead.toLowerCase() === viewer.username?.toLowerCase();
}

const same = (a: string | null | undefined, b: string | null | undefined) =>
  a != null && b != null && a.toLowerCase() === b.toLowerCase();

export function patternText(r: Rotation, timeZone: string): string {
  const when =
    r.shift === 'daily'
      ? `Daily, handoff ${r.handoffTime}`
      : `Weekly, handoff ${WEEKDAYS[(r.handoffWeekday ?? 1) - 1]}s ${r.handoffTime}`;
  const members = r.members.length > 0 ? r.members.join(', ') : 'no members';
  return `${when} (${timeZone}) from ${r.startDate} · ${members}`;
}

export interface TeamRotaInput {
  teamId: string;
  teamName: string;
  rotations: readonly Rotation[] | null;
  overrides: readonly Override[] | null;
  answers: readonly TeamOnCallResponse[];
  policy: EscalationPolicyResponse | null;
  error: string | null;
}

export function teamRota(input: TeamRotaInput, viewer: RotaViewer, now: number): TeamRota {
  const first = input.answers[0];
  const timeZone = first?.timeZone ?? 'UTC';
  const segments = segmentsOf(input.answers);
  const canEdit = canEditRota(viewer, input.policy);
  const mayTake = viewer.role !== 'viewer' && viewer.username !== null;
  const rotations = (input.rotations ?? []).map((r): RotationBlock => {
    const current = first?.rotations.find((a) => a.rotationId === r.id);
    const shifts = (segments.get(r.id) ?? []).slice(0, SHIFTS_AHEAD + 1).map((s, i) => ({
      rotationId: r.id,
      username: s.username,
      text: `${formatSpan(s.start, s.end, timeZone)}: ${s.username ?? 'nobody'}${s.overriddenFrom ? ` (covering for ${s.overriddenFrom})` : ''}`,
      from: Math.max(s.start, now),
      to: s.end,
      canTake: mayTake && s.username !== null && !same(s.username, viewer.username) && s.end > now,
      now: i === 0 && s.start <= now,
    }));
    return {
      rotationId: r.id,
      name: r.name,
      patternText: patternText(r, timeZone),
      nowText: current ? `Now: ${rotationNowText(current, now, timeZone, false)}` : 'Now: loading…',
      shifts,
    };
  });
  const names = new Map((input.rotations ?? []).map((r) => [r.id, r.name]));
  const overrides = (input.overrides ?? [])
    .filter((o) => o.cancelledAt === null && o.to > now)
    .map((o) => ({
      id: o.id,
      text: `${formatSpan(o.from, o.to, timeZone)}: ${o.username}${o.replaces ? ` covers for ${o.replaces}` : ' on call'} (${names.get(o.rotationId) ?? o.rotationId})${o.note ? ` — ${o.note}` : ''}; made by ${o.createdBy}`,
      canCancel: canEdit || same(o.username, viewer.username) || same(o.createdBy, viewer.username),
    }));
  const lead = input.policy && !input.policy.isDefault ? input.policy.leadUsername : null;
  return {
    teamId: input.teamId,
    teamName: input.teamName,
    timeZone,
    leadText: lead ? `Team lead: ${lead}` : 'No team lead named',
    rotations,
    overrides,
    canEdit,
    form: (input.rotations ?? []).map(rotationFormRow),
    statusText:
      input.error ??
      (input.rotations === null
        ? 'Loading the rota…'
        : input.rotations.length === 0
          ? 'This team has no rotation: nobody is paged for it.'
          : ''),
  };
}

export function rotationFormRow(r: Rotation, index: number): RotationFormRow {
  return {
    index,
    id: r.id,
    name: r.name,
    shift: r.shift,
    handoffTime: r.handoffTime,
    handoffWeekday: r.handoffWeekday === undefined ? '' : String(r.handoffWeekday),
    startDate: r.startDate,
    members: r.members.join(', '),
  };
}

/** The fields of one rotation in the editor, as typed (strings). */
export type RotationValues = Readonly<
  Record<'id' | 'name' | 'shift' | 'handoffTime' | 'handoffWeekday' | 'startDate' | 'members', string>
>;
/** `${index}.${field}` → message; `_form` for the rest. */
export type RotaErrors = Record<string, string>;
export const ROTA_FORM_ERROR = '_form';

/** "ana, ben\nsam" → ['ana', 'ben', 'sam']: commas, spaces or new lines between names. */
export function membersOf(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((m) => m.trim())
    .filter(Boolean);
}

export function rotationsBody(rows: readonly RotationValues[]): unknown[] {
  return rows.map((v) => {
    const weekday = v.handoffWeekday.trim();
    return {
      ...(v.id ? { id: v.id } : {}),
      name: v.name.trim(),
      shift: v.shift,
      handoffTime: v.handoffTime.trim(),
      ...(v.shift === 'weekly' && weekday !== '' ? { handoffWeekday: Number(weekday) } : {}),
      startDate: v.startDate.trim(),
      members: membersOf(v.members),
    };
  });
}

/** A request path of the rotations body (`0.members.2`) → the editor's field (`0.members`). */
export function rotaFieldOf(path: string): string {
  const match = /^(\d+)\.(name|shift|handoffTime|handoffWeekday|startDate|members|id)\b/.exec(path);
  if (!match) return ROTA_FORM_ERROR;
  return `${match[1]}.${match[2] === 'id' ? 'name' : match[2]}`;
}

function issuesToErrors(issues: readonly { path: string; message: string }[]): RotaErrors {
  const errors: RotaErrors = {};
  for (const issue of issues) errors[rotaFieldOf(issue.path)] ??= issue.message;
  return errors;
}

/** Checked in the browser with the server's own schema before anything is sent. */
export function validateRotations(
  rows: readonly RotationValues[],
): { ok: true; body: unknown[] } | { ok: false; errors: RotaErrors } {
  const body = rotationsBody(rows);
  const parsed = rotationsBodySchema.safeParse(body);
  if (parsed.success) return { ok: true, body };
  return {
    ok: false,
    errors: issuesToErrors(
      (parsed.error as z.ZodError).issues.map((i) => ({
        path: i.path.map(String).join('.'),
        message: i.message,
      })),
    ),
  };
}

/** What a refused `PUT rotations` says, next to the field at fault when the server names one. */
export function rotaServerErrors(failure: ApiFailure): RotaErrors {
  switch (failure.code) {
    case 'VALIDATION_FAILED':
      if (failure.issues && failure.issues.length > 0) return issuesToErrors(failure.issues);
      return {
        [ROTA_FORM_ERROR]: `The server refused the rota: ${failure.serverMessage ?? 'invalid input'}.`,
      };
    case 'FORBIDDEN':
      return {
        [ROTA_FORM_ERROR]:
          'Only the team lead, a coordinator or an admin may change the rota. Nothing was saved.',
      };
    case 'ROTATION_NOT_FOUND':
      return { [ROTA_FORM_ERROR]: 'A rotation was removed meanwhile: reload the page. Nothing was saved.' };
    case 'NETWORK':
      return { [ROTA_FORM_ERROR]: 'Could not reach the server: nothing was saved. Try again.' };
    default:
      return { [ROTA_FORM_ERROR]: `The server refused the rota (${failure.code}): nothing was saved.` };
  }
}

/** What a refused override or cancel says (on the rota page, above the shifts). */
export function overrideFailureText(action: 'take' | 'cancel', failure: ApiFailure): string {
  const what = action === 'take' ? 'The shift is NOT yours' : 'The override is NOT cancelled';
  switch (failure.code) {
    case 'FORBIDDEN':
      return `${what}: only members of the team (for themselves), its lead or a coordinator may.`;
    case 'NETWORK':
      return `${what}: could not reach the server. Try again.`;
    case 'VALIDATION_FAILED':
      return `${what}: ${failure.issues?.[0]?.message ?? failure.serverMessage ?? 'refused'}.`;
    default:
      return `${what} (${failure.code}).`;
  }
}
