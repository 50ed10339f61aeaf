import { lastDoseDue, nextDoseDue, type Therapy, therapyDay } from '@pumpwatch/protocol';
import { formatDuration } from '../format.js';

/**
 * The therapy's place in time, as a card or alert shows it under the patient: "Day 12 of 42" and, for
 * an intermittent therapy, the next dose ("next dose 14:00, in 2 h 05 min") or the dose running now.
 * Days and dose times are counted by protocol/src/therapy-schedule.ts, the same code the dose rules use,
 * in the care team's time zone (a nurse in London reads London times whatever the browser's zone).
 */

export type TherapyTiming = Pick<Therapy, 'startDate' | 'endDate' | 'schedule' | 'status'>;

const hourMinute = new Map<string, Intl.DateTimeFormat>();

/** "14:00" in the team's time zone (the browser's when unknown). */
export function formatHourMinute(at: number, timeZone?: string): string {
  const key = timeZone ?? '';
  let fmt = hourMinute.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      ...(timeZone ? { timeZone } : {}),
    });
    hourMinute.set(key, fmt);
  }
  return fmt.format(at);
}

/** "Day 12 of 42" ("Day 3" without an end date); "Starts 2026-12-09" before the start; null when unknown. */
export function therapyDayText(therapy: TherapyTiming, at: number, timeZone: string): string | null {
  const day = therapyDay(therapy, at, timeZone);
  if (!day) return `Starts ${therapy.startDate}`;
  if (day.of !== null && day.day > day.of) return `Ended ${therapy.endDate ?? ''}`.trim();
  return day.of === null ? `Day ${day.day}` : `Day ${day.day} of ${day.of}`;
}

/** The dose line of an intermittent therapy; null for a continuous one. */
export function doseText(therapy: TherapyTiming, at: number, timeZone?: string): string | null {
  const { schedule } = therapy;
  if (schedule.kind !== 'intermittent') return null;
  const last = lastDoseDue(schedule, at);
  if (last && at < last.endsAt) return `dose running until ${formatHourMinute(last.endsAt, timeZone)}`;
  const next = nextDoseDue(schedule, at);
  return `next dose ${formatHourMinute(next.dueAt, timeZone)}, in ${formatDuration(next.dueAt - at)}`;
}

/** "Day 12 of 42 · next dose 14:00, in 2 h 05 min"; null when the therapy is not known. */
export function therapyLine(
  therapy: TherapyTiming | undefined,
  timeZone: string | undefined,
  at: number,
): string | null {
  if (!therapy) return null;
  const zone = timeZone ?? 'UTC';
  const parts = [therapyDayText(therapy, at, zone)];
  // A therapy on hold or completed has no dose coming: saying one is due would mislead.
  if (therapy.status === 'active') parts.push(doseText(therapy, at, timeZone));
  else parts.push(therapy.status === 'on_hold' ? 'on hold' : therapy.status);
  return parts.filter((p): p is string => p !== null && p !== '').join(' · ') || null;
}
