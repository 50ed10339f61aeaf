import { describe, expect, it } from 'vitest';
import { doseText, therapyDayText, therapyLine } from '../src/care/therapy-line.js';

const HOUR = 3_600_000;
const at = Date.parse('2026-12-12T10:00:00Z');
const continuous = {
  startDate: '2026-12-01',
  endDate: '2027-01-11',
  schedule: { kind: 'continuous' as const },
  status: 'active' as const,
};
const every8h = {
  ...continuous,
  schedule: {
    kind: 'intermittent' as const,
    everyHours: 8,
    durationMin: 30,
    firstDoseAt: Date.parse('2026-12-01T06:00:00Z'),
  },
};

describe('therapy line', () => {
  it('counts the day in the team zone, "Day 12 of 42"', () => {
    expect(therapyDayText(continuous, at, 'Europe/London')).toBe('Day 12 of 42');
    // 23:30 UTC on the 11th is already the 12th in Auckland.
    expect(therapyDayText(continuous, Date.parse('2026-12-11T23:30:00Z'), 'Pacific/Auckland')).toBe(
      'Day 12 of 42',
    );
    expect(therapyDayText({ ...continuous, endDate: undefined }, at, 'UTC')).toBe('Day 12');
    expect(therapyDayText(continuous, Date.parse('2026-11-30T10:00:00Z'), 'UTC')).toBe('Starts 2026-12-01');
  });

  it('says the next dose of an intermittent therapy, or the dose running', () => {
    // Doses at 06:00, 14:00, 22:00 UTC; at 10:00 the next is 14:00, in 4 h.
    expect(doseText(every8h, at, 'UTC')).toBe('next dose 14:00, in 4 h 00 min');
    expect(doseText(every8h, Date.parse('2026-12-12T14:10:00Z'), 'UTC')).toBe('dose running until 14:30');
    expect(doseText(continuous, at, 'UTC')).toBeNull();
    expect(doseText(every8h, at, 'Europe/Paris')).toBe('next dose 15:00, in 4 h 00 min');
  });

  it('joins them, and promises no dose for a therapy on hold', () => {
    expect(therapyLine(every8h, 'UTC', at)).toBe('Day 12 of 42 · next dose 14:00, in 4 h 00 min');
    expect(therapyLine({ ...every8h, status: 'on_hold' }, 'UTC', at)).toBe('Day 12 of 42 · on hold');
    expect(therapyLine(continuous, 'UTC', at)).toBe('Day 12 of 42');
    expect(therapyLine(undefined, 'UTC', at)).toBeNull();
    expect(therapyLine(every8h, 'UTC', at + 100 * 24 * HOUR)).toContain('Ended 2027-01-11');
  });
});
