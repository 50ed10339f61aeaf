import { describe, expect, it } from 'vitest';
import { lastDoseDue, localDate, nearestDose, nextDoseDue, therapyDay } from '../src/therapy-schedule.js';

const first = Date.UTC(2026, 11, 1, 6, 0, 0);
const every8h = { kind: 'intermittent' as const, everyHours: 8, durationMin: 30, firstDoseAt: first };

describe('therapy schedule', () => {
  it('counts doses every N hours from the first', () => {
    expect(lastDoseDue(every8h, first - 1)).toBeNull();
    expect(lastDoseDue(every8h, first)?.index).toBe(0);
    const at = first + 17 * 3_600_000;
    expect(lastDoseDue(every8h, at)).toEqual({
      index: 2,
      dueAt: first + 16 * 3_600_000,
      endsAt: first + 16 * 3_600_000 + 30 * 60_000,
    });
    expect(nextDoseDue(every8h, at).index).toBe(3);
    expect(nextDoseDue(every8h, first - 1).index).toBe(0);
  });

  it('takes the nearest dose for an infusion that starts early or late', () => {
    expect(nearestDose(every8h, first + 3 * 3_600_000).index).toBe(0);
    expect(nearestDose(every8h, first + 5 * 3_600_000).index).toBe(1);
  });

  it('counts therapy days in the team time zone', () => {
    const therapy = { startDate: '2026-11-26', endDate: '2027-01-06' };
    // 23:30 UTC on 6 Dec is already 7 Dec in Paris.
    const at = Date.UTC(2026, 11, 6, 23, 30);
    expect(localDate(at, 'Europe/Paris')).toBe('2026-12-07');
    expect(therapyDay(therapy, at, 'Europe/Paris')).toEqual({ day: 12, of: 42 });
    expect(therapyDay(therapy, at, 'UTC')).toEqual({ day: 11, of: 42 });
    expect(therapyDay({ startDate: '2026-12-10' }, at, 'UTC')).toBeNull();
    expect(therapyDay({ startDate: '2026-12-01' }, at, 'UTC')).toEqual({ day: 6, of: null });
  });
});
