import type { OnCallAnswer, Override, Rotation } from '@pumpwatch/protocol';
import { DateTime } from 'luxon';

/**
 * Who a rotation has on call, as pure functions of (rotation, overrides, time zone, instant): no clock,
 * no I/O. Every calendar step goes through luxon in the team's zone, so a 07:00 handoff stays 07:00
 * local across a daylight-saving change and that day's shift lasts 23 h or 25 h (docs/oncall.md#dst).
 * A handoff time the change day skips (02:30 in spring) is taken at the first instant after the gap,
 * as luxon resolves it; one the day has twice (01:30 in autumn) at its first occurrence.
 */

/** One stretch of time in which one person is on call for one rotation (the calendar feed's events). */
export interface Shift {
  rotationId: string;
  username: string;
  start: number;
  end: number;
  /** Set when an override put this person here instead of `overriddenFrom`. */
  overrideId?: string;
  overriddenFrom?: string;
}

/** Shift number `index` (0 = the first) begins at this instant. */
function handoffAt(rotation: Rotation, timeZone: string, index: number): DateTime {
  const [hour, minute] = rotation.handoffTime.split(':').map(Number) as [number, number];
  let day = DateTime.fromISO(rotation.startDate, { zone: timeZone }).startOf('day');
  if (rotation.shift === 'weekly') {
    const weekday = rotation.handoffWeekday ?? 1;
    // The first handoff weekday on or after the start date.
    day = day.plus({ days: (weekday - day.weekday + 7) % 7 });
  }
  const date = day.plus(rotation.shift === 'weekly' ? { weeks: index } : { days: index });
  return DateTime.fromObject(
    { year: date.year, month: date.month, day: date.day, hour, minute },
    { zone: timeZone },
  );
}

/** The number of the shift holding `at`; -1 before the first handoff. */
function shiftIndexAt(rotation: Rotation, timeZone: string, at: number): number {
  const first = handoffAt(rotation, timeZone, 0);
  if (at < first.toMillis()) return -1;
  const unit = rotation.shift === 'weekly' ? 'weeks' : 'days';
  // Calendar difference (luxon counts days and weeks on the calendar), then at most a step either way
  // for the part of a day the handoff time adds.
  let index = Math.max(
    0,
    Math.floor(DateTime.fromMillis(at, { zone: timeZone }).diff(first, unit).get(unit)),
  );
  while (index > 0 && handoffAt(rotation, timeZone, index).toMillis() > at) index -= 1;
  while (handoffAt(rotation, timeZone, index + 1).toMillis() <= at) index += 1;
  return index;
}

function scheduledAt(rotation: Rotation, index: number): string | null {
  if (index < 0 || rotation.members.length === 0) return null;
  return rotation.members[index % rotation.members.length] ?? null;
}

/** Overrides of this rotation that hold, oldest first (a later override can replace an earlier one). */
function activeOverrides(rotation: Rotation, overrides: readonly Override[]): Override[] {
  return overrides
    .filter((o) => o.rotationId === rotation.id && o.cancelledAt === null)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** Applies the overrides holding at `at`, in creation order, to the person the rota has on call. */
function applyOverrides(scheduled: string | null, active: readonly Override[], at: number) {
  let username = scheduled;
  let applied: Override | undefined;
  for (const override of active) {
    if (override.from > at || override.to <= at) continue;
    if (override.replaces !== null && override.replaces !== username) continue;
    username = override.username;
    applied = override;
  }
  return { username, applied };
}

/**
 * Who `rotation` has on call at `at`, and the interval `[shiftStart, shiftEnd)` over which that answer
 * holds: the rota's shift, cut where an override begins or ends inside it.
 */
export function onCallAt(
  rotation: Rotation,
  overrides: readonly Override[],
  timeZone: string,
  at: number,
): OnCallAnswer {
  const index = shiftIndexAt(rotation, timeZone, at);
  let start = index < 0 ? null : handoffAt(rotation, timeZone, index).toMillis();
  let end = handoffAt(rotation, timeZone, index + 1).toMillis();
  const active = activeOverrides(rotation, overrides);
  for (const override of active) {
    for (const edge of [override.from, override.to]) {
      if (edge <= at && (start === null || edge > start)) start = edge;
      if (edge > at && edge < end) end = edge;
    }
  }
  const scheduled = scheduledAt(rotation, index);
  const { username, applied } = applyOverrides(scheduled, active, at);
  return {
    username,
    shiftStart: start,
    shiftEnd: end,
    ...(applied && scheduled !== username && scheduled !== null ? { overriddenFrom: scheduled } : {}),
    ...(applied ? { overrideId: applied.id } : {}),
  };
}

/** A calendar feed covers weeks, not years: more shifts than this per rotation is a caller's mistake. */
const MAX_SHIFTS_PER_ROTATION = 2000;

/**
 * Every stretch in `[from, to)` in which `username` is on call, over all `rotations`, oldest first.
 * Stretches are the segments of `onCallAt` (a shift, cut by overrides); adjacent ones of the same
 * shift and person are joined, and one that began before `from` is given whole.
 */
export function shiftsOf(
  username: string,
  rotations: readonly Rotation[],
  overrides: readonly Override[],
  timeZone: string,
  from: number,
  to: number,
): Shift[] {
  const shifts: Shift[] = [];
  for (const rotation of rotations) {
    let at = from;
    let previous: Shift | undefined;
    for (let step = 0; at < to && step < MAX_SHIFTS_PER_ROTATION * 4; step += 1) {
      const answer = onCallAt(rotation, overrides, timeZone, at);
      const start = answer.shiftStart ?? at;
      if (answer.username === username) {
        const extendsPrevious =
          previous !== undefined &&
          previous.end === start &&
          previous.overrideId === answer.overrideId &&
          !isHandoff(rotation, timeZone, start);
        if (previous && extendsPrevious) previous.end = answer.shiftEnd;
        else {
          previous = {
            rotationId: rotation.id,
            username,
            start,
            end: answer.shiftEnd,
            ...(answer.overrideId ? { overrideId: answer.overrideId } : {}),
            ...(answer.overriddenFrom ? { overriddenFrom: answer.overriddenFrom } : {}),
          };
          shifts.push(previous);
        }
      } else previous = undefined;
      at = answer.shiftEnd;
    }
  }
  return shifts.sort((a, b) => a.start - b.start || (a.rotationId < b.rotationId ? -1 : 1));
}

/** True when a shift of the rota begins exactly at `at`: a new calendar event starts there. */
function isHandoff(rotation: Rotation, timeZone: string, at: number): boolean {
  const index = shiftIndexAt(rotation, timeZone, at);
  return index >= 0 && handoffAt(rotation, timeZone, index).toMillis() === at;
}
