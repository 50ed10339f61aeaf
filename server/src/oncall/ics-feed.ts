import ical from 'ical-generator';
import type { Shift } from './schedule.js';

/** A shift with the names a calendar shows: the team and the rotation (never patient data). */
export interface FeedShift extends Shift {
  teamName: string;
  rotationName: string;
}

/**
 * The iCalendar text of one person's shifts (RFC 5545). Times are written in UTC (`DTSTART:…Z`): every
 * calendar shows them in the phone's own zone, and no VTIMEZONE block has to describe the team's
 * daylight-saving rules. Event ids are stable (rotation and start), so a refreshed feed updates an
 * event instead of adding a copy. `stamp` is the feed's own time, passed in: this module has no clock.
 */
export function renderShiftFeed(username: string, shifts: readonly FeedShift[], stamp: number): string {
  const calendar = ical({
    name: `pumpwatch on call: ${username}`,
    prodId: { company: 'pumpwatch', product: 'oncall', language: 'EN' },
    // Calendar apps poll a subscribed feed; an hour keeps a swapped shift from lagging a day behind.
    ttl: 3600,
  });
  for (const shift of shifts) {
    calendar.createEvent({
      id: `${shift.rotationId}-${shift.start}@pumpwatch`,
      start: new Date(shift.start),
      end: new Date(shift.end),
      stamp: new Date(stamp),
      summary: `On call: ${shift.teamName}, ${shift.rotationName}`,
      ...(shift.overriddenFrom ? { description: `Covering for ${shift.overriddenFrom}` } : {}),
    });
  }
  return calendar.toString();
}
