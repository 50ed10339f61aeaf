import type { Override, Rotation } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { onCallAt, shiftsOf } from '../src/oncall/schedule.js';

/**
 * Who is on call across daylight-saving changes (docs/oncall.md#dst). Expected instants are written in
 * UTC, worked out from the zones' published rules, not from the code under test: Europe/Paris changes
 * on 2026-03-29 (UTC+1 → +2) and 2026-10-25 (+2 → +1); America/New_York on 2026-03-08 (−5 → −4) and
 * 2026-11-01 (−4 → −5). A 07:00 handoff is then 07:00 local on both sides of the change.
 */
const H = 3600_000;
const utc = (iso: string) => Date.parse(iso);

function rotation(overrides: Partial<Rotation> = {}): Rotation {
  return {
    id: 'rot_day',
    teamId: 'team_north',
    name: 'Nights and days',
    shift: 'daily',
    handoffTime: '07:00',
    startDate: '2026-03-01',
    members: ['ana', 'ben', 'cy'],
    archivedAt: null,
    createdAt: 0,
    updatedAt: 0,
    updatedBy: 'lead',
    ...overrides,
  };
}

function override(overrides: Partial<Override> = {}): Override {
  return {
    id: 'ovr_1',
    teamId: 'team_north',
    rotationId: 'rot_day',
    username: 'dee',
    replaces: null,
    from: 0,
    to: 1,
    note: '',
    createdAt: 1,
    createdBy: 'dee',
    cancelledAt: null,
    cancelledBy: null,
    ...overrides,
  };
}

// [zone, change day, handoff at 07:00 local that day (UTC), the day before's 07:00 (UTC), length in h,
//  daily: before / after, weekly (Sundays): before / after]
const changes = [
  [
    'Europe/Paris',
    '2026-03-29',
    '2026-03-29T05:00:00Z',
    '2026-03-28T06:00:00Z',
    23,
    'ana',
    'ben',
    'ben',
    'ana',
  ],
  [
    'Europe/Paris',
    '2026-10-25',
    '2026-10-25T06:00:00Z',
    '2026-10-24T05:00:00Z',
    25,
    'ana',
    'ben',
    'ben',
    'ana',
  ],
  [
    'America/New_York',
    '2026-03-08',
    '2026-03-08T11:00:00Z',
    '2026-03-07T12:00:00Z',
    23,
    'ana',
    'ben',
    'ana',
    'ben',
  ],
  [
    'America/New_York',
    '2026-11-01',
    '2026-11-01T12:00:00Z',
    '2026-10-31T11:00:00Z',
    25,
    'ben',
    'cy',
    'ana',
    'ben',
  ],
] as const;

describe('onCallAt across daylight-saving changes', () => {
  it.each(changes)(
    'daily 07:00 handoff in %s on %s: 06:59 and 07:00 local',
    (zone, _day, handoff, previous, hours, before, after) => {
      const daily = rotation();
      const atHandoff = utc(handoff);
      expect(onCallAt(daily, [], zone, atHandoff - 60_000)).toEqual({
        username: before,
        shiftStart: utc(previous),
        shiftEnd: atHandoff,
      });
      const next = onCallAt(daily, [], zone, atHandoff);
      expect(next.username).toBe(after);
      expect(next.shiftStart).toBe(atHandoff);
      // The shift ending on the change day is 23 h or 25 h; the next one is a normal day again.
      expect((atHandoff - utc(previous)) / H).toBe(hours);
      expect(((next.shiftEnd - atHandoff) / H) % 24).toBe(0);
    },
  );

  it.each(changes)(
    'weekly Sunday 07:00 handoff in %s on %s',
    (zone, _day, handoff, _previous, hours, _b, _a, before, after) => {
      const weekly = rotation({ shift: 'weekly', handoffWeekday: 7, members: ['ana', 'ben'] });
      const atHandoff = utc(handoff);
      const last = onCallAt(weekly, [], zone, atHandoff - 60_000);
      expect(last.username).toBe(before);
      expect(last.shiftEnd).toBe(atHandoff);
      // A week holding the change is 7 × 24 h minus or plus the hour the day lost or gained.
      expect((atHandoff - (last.shiftStart as number)) / H).toBe(7 * 24 + (hours - 24));
      expect(onCallAt(weekly, [], zone, atHandoff).username).toBe(after);
    },
  );

  it('starts a weekly rota at the first handoff weekday on or after its start date', () => {
    // 2026-03-04 is a Wednesday; the first Monday on or after it is 2026-03-09 (07:00 CET = 06:00Z).
    const weekly = rotation({
      shift: 'weekly',
      handoffWeekday: 1,
      startDate: '2026-03-04',
      members: ['ana', 'ben'],
    });
    const first = utc('2026-03-09T06:00:00Z');
    expect(onCallAt(weekly, [], 'Europe/Paris', first - 1)).toEqual({
      username: null,
      shiftStart: null,
      shiftEnd: first,
    });
    expect(onCallAt(weekly, [], 'Europe/Paris', first)).toMatchObject({ username: 'ana', shiftStart: first });
    expect(onCallAt(weekly, [], 'Europe/Paris', first + 7 * 24 * H).username).toBe('ben');
  });

  it('takes a handoff time the spring change skips at the first instant after the gap', () => {
    // 02:30 does not exist in Paris on 2026-03-29: clocks go from 02:00 CET to 03:00 CEST (01:00Z).
    const early = rotation({ handoffTime: '02:30' });
    const answer = onCallAt(early, [], 'Europe/Paris', utc('2026-03-29T03:00:00Z'));
    expect(answer.shiftStart).toBe(utc('2026-03-29T01:30:00Z'));
    expect(answer.username).toBe('ben');
  });

  it('answers nobody for a rotation without members, with its shift bounds', () => {
    const empty = rotation({ members: [] });
    const answer = onCallAt(empty, [], 'Europe/Paris', utc('2026-03-29T05:00:00Z'));
    expect(answer).toEqual({
      username: null,
      shiftStart: utc('2026-03-29T05:00:00Z'),
      shiftEnd: utc('2026-03-30T05:00:00Z'),
    });
  });
});

describe('overrides', () => {
  // Tuesday 2026-03-31 in Paris is shift 30, the first member's (30 mod 3 = 0), from 07:00 CEST (05:00Z).
  const zone = 'Europe/Paris';
  const tuesdayNight = { from: utc('2026-03-31T18:00:00Z'), to: utc('2026-04-01T05:00:00Z') };

  it('"I take Tuesday night for Sam": the override holds only its hours, and cuts the shift there', () => {
    const daily = rotation({ members: ['sam', 'ana', 'cy'] });
    const mine = override({ ...tuesdayNight, username: 'dee', replaces: 'sam' });
    expect(onCallAt(daily, [mine], zone, utc('2026-03-31T12:00:00Z'))).toEqual({
      username: 'sam',
      shiftStart: utc('2026-03-31T05:00:00Z'),
      shiftEnd: tuesdayNight.from,
    });
    expect(onCallAt(daily, [mine], zone, utc('2026-03-31T20:00:00Z'))).toEqual({
      username: 'dee',
      shiftStart: tuesdayNight.from,
      shiftEnd: tuesdayNight.to,
      overriddenFrom: 'sam',
      overrideId: 'ovr_1',
    });
    // At its end the rota's next shift begins: ana's.
    expect(onCallAt(daily, [mine], zone, tuesdayNight.to).username).toBe('ana');
  });

  it('leaves the shift alone when the person it replaces is not the one on call', () => {
    const daily = rotation({ members: ['ben', 'ana', 'cy'] });
    const forSam = override({ ...tuesdayNight, replaces: 'sam' });
    expect(onCallAt(daily, [forSam], zone, utc('2026-03-31T20:00:00Z'))).toMatchObject({ username: 'ben' });
  });

  it('applies overrides in the order they were made, ignores cancelled ones and other rotations', () => {
    const daily = rotation({ members: ['ben', 'ana', 'cy'] });
    const at = utc('2026-03-31T20:00:00Z');
    const first = override({ ...tuesdayNight, id: 'ovr_a', username: 'dee', replaces: 'ben', createdAt: 10 });
    const second = override({
      ...tuesdayNight,
      id: 'ovr_b',
      username: 'eve',
      replaces: 'dee',
      createdAt: 20,
    });
    expect(onCallAt(daily, [second, first], zone, at)).toMatchObject({
      username: 'eve',
      overriddenFrom: 'ben',
      overrideId: 'ovr_b',
    });
    const cancelled = { ...second, cancelledAt: 30, cancelledBy: 'eve' };
    expect(onCallAt(daily, [cancelled, first], zone, at).username).toBe('dee');
    const elsewhere = override({ ...tuesdayNight, rotationId: 'rot_other', username: 'zed' });
    expect(onCallAt(daily, [elsewhere], zone, at).username).toBe('ben');
  });
});

describe('shiftsOf', () => {
  it("lists one person's shifts in a range, an override's hours as their own stretch", () => {
    const daily = rotation({ members: ['ana', 'ben'] });
    const zone = 'America/New_York';
    // ana has even days from 2026-03-01, ben odd ones; over the spring change (2026-03-08, EDT from
    // then on). The range begins inside ana's 7 March shift (given whole) and ends at 9 March 07:00 EDT.
    const from = utc('2026-03-07T18:00:00Z');
    const to = utc('2026-03-09T11:00:00Z');
    const cover = override({
      rotationId: daily.id,
      username: 'ana',
      replaces: 'ben',
      from: utc('2026-03-08T20:00:00Z'),
      to: utc('2026-03-09T02:00:00Z'),
    });
    expect(shiftsOf('ana', [daily], [cover], zone, from, to)).toEqual([
      {
        rotationId: 'rot_day',
        username: 'ana',
        start: utc('2026-03-07T12:00:00Z'),
        end: utc('2026-03-08T11:00:00Z'),
      },
      {
        rotationId: 'rot_day',
        username: 'ana',
        start: utc('2026-03-08T20:00:00Z'),
        end: utc('2026-03-09T02:00:00Z'),
        overrideId: 'ovr_1',
        overriddenFrom: 'ben',
      },
    ]);
  });
});
