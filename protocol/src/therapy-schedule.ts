import type { Therapy, TherapySchedule } from './care.js';

/**
 * Dose times of an intermittent therapy and the day of a therapy, shared by the `dose_missed` rule
 * and the dashboard so both count the same doses. "Every 8 h" is a fixed interval of elapsed time:
 * a daylight-saving change moves the wall-clock time of a dose, not the interval between doses.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export type IntermittentSchedule = Extract<TherapySchedule, { kind: 'intermittent' }>;

/** One scheduled dose: its index (0 = the first dose), when it is due and when it should be over. */
export interface ScheduledDose {
  index: number;
  dueAt: number;
  endsAt: number;
}

export function doseAt(schedule: IntermittentSchedule, index: number): ScheduledDose {
  const dueAt = schedule.firstDoseAt + index * schedule.everyHours * HOUR_MS;
  return { index, dueAt, endsAt: dueAt + schedule.durationMin * 60_000 };
}

/** The last dose due at or before `at`; null before the first. */
export function lastDoseDue(schedule: IntermittentSchedule, at: number): ScheduledDose | null {
  if (at < schedule.firstDoseAt) return null;
  return doseAt(schedule, Math.floor((at - schedule.firstDoseAt) / (schedule.everyHours * HOUR_MS)));
}

/** The first dose due after `at`. */
export function nextDoseDue(schedule: IntermittentSchedule, at: number): ScheduledDose {
  const last = lastDoseDue(schedule, at);
  return doseAt(schedule, last ? last.index + 1 : 0);
}

/** The dose an infusion starting at `at` most plausibly is: the one whose due time is nearest. */
export function nearestDose(schedule: IntermittentSchedule, at: number): ScheduledDose {
  const last = lastDoseDue(schedule, at);
  const next = nextDoseDue(schedule, at);
  return last && at - last.dueAt <= next.dueAt - at ? last : next;
}

/** The calendar date (`YYYY-MM-DD`) of an instant in a time zone. */
export function localDate(at: number, timeZone: string): string {
  // en-CA formats dates as ISO 8601 (2026-12-07).
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

function daysBetween(fromIsoDate: string, toIsoDate: string): number {
  return Math.round((Date.parse(`${toIsoDate}T00:00:00Z`) - Date.parse(`${fromIsoDate}T00:00:00Z`)) / DAY_MS);
}

/**
 * "Day 12 of 42": the therapy's day at `at` in the team's time zone (day 1 = the start date) and its
 * length in days when it has an end date. Null before the therapy starts.
 */
export function therapyDay(
  therapy: Pick<Therapy, 'startDate' | 'endDate'>,
  at: number,
  timeZone: string,
): { day: number; of: number | null } | null {
  const day = daysBetween(therapy.startDate, localDate(at, timeZone)) + 1;
  if (day < 1) return null;
  const of = therapy.endDate ? daysBetween(therapy.startDate, therapy.endDate) + 1 : null;
  return { day, of };
}
