import type { Override, Rotation, TeamOnCallResponse } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { contactBody, deviceRows, validateContact } from '../src/oncall/devices-view.js';
import { formatShiftTime, oncallHeaderModel } from '../src/oncall/oncall-text.js';
import {
  canEditRota,
  nextQueryAt,
  rotaFieldOf,
  rotaServerErrors,
  segmentsOf,
  teamRota,
  validateRotations,
} from '../src/oncall/rota-view.js';
import { alertRowView } from '../src/view.js';
import { alert } from './fixtures.js';

const ZONE = 'Europe/London';
/** Monday 2026-03-30 12:00 in London (BST, UTC+1). */
const NOW = Date.UTC(2026, 2, 30, 11, 0);
/** The next 07:00 London handoffs after NOW. */
const H1 = Date.UTC(2026, 2, 31, 6, 0);
const H2 = Date.UTC(2026, 3, 1, 6, 0);

function answer(at: number, rotations: TeamOnCallResponse['rotations']): TeamOnCallResponse {
  return { teamId: 'team_n', at, timeZone: ZONE, rotations };
}
const primary = (username: string | null, shiftStart: number | null, shiftEnd: number, extra = {}) => ({
  rotationId: 'rot_p',
  rotationName: 'Primary',
  username,
  shiftStart,
  shiftEnd,
  ...extra,
});

describe('times of shifts', () => {
  it('in the team’s zone: a time within a day, a weekday within the week, a date beyond', () => {
    expect(formatShiftTime(H1, NOW, ZONE)).toBe('07:00');
    expect(formatShiftTime(H2, NOW, ZONE)).toBe('Wed 07:00');
    expect(formatShiftTime(H2 + 8 * 86_400_000, NOW, ZONE)).toBe('Thu 9 Apr 07:00');
    // The same instant in New York's wall clock.
    expect(formatShiftTime(H1, NOW, 'America/New_York')).toBe('02:00');
  });
});

describe('the header: who is on call now', () => {
  const team = (rotations: TeamOnCallResponse['rotations'], name = 'North') => ({
    teamId: `team_${name}`,
    teamName: name,
    answer: answer(NOW, rotations),
    error: null,
  });

  it('one team, one rotation: "On call: ana (until 07:00)"', () => {
    const m = oncallHeaderModel(
      [team([primary('ana', NOW - 3600_000, H1)])],
      NOW,
      '#/teams/team_North/oncall',
    );
    expect(m).toEqual({
      text: 'On call: ana (until 07:00)',
      level: 'info',
      href: '#/teams/team_North/oncall',
      usernames: ['ana'],
    });
  });

  it('names the cover, the rotations when several, and warns when nobody is on call', () => {
    const m = oncallHeaderModel(
      [
        team([
          primary('ben', NOW - 60_000, H1, { overriddenFrom: 'ana', overrideId: 'ovr_1' }),
          {
            rotationId: 'rot_b',
            rotationName: 'Backup',
            username: null,
            shiftStart: NOW - 60_000,
            shiftEnd: H2,
          },
        ]),
      ],
      NOW,
      '#/oncall',
    );
    expect(m.text).toBe(
      'On call: ben (Primary, until 07:00, covering for ana), NOBODY (Backup, until Wed 07:00)',
    );
    expect(m.level).toBe('warn');
  });

  it('several teams are named; a team without rota or answer says so; no team: no line', () => {
    const m = oncallHeaderModel(
      [
        team([primary('ana', NOW, H1)]),
        team([], 'South'),
        {
          teamId: 't3',
          teamName: 'East',
          answer: null,
          error: 'Could not reach the server for who is on call.',
        },
      ],
      NOW,
      '#/oncall',
    );
    expect(m.text).toBe(
      'On call — North: ana (until 07:00) · South: no rota · East: Could not reach the server for who is on call.',
    );
    expect(m.level).toBe('warn');
    expect(oncallHeaderModel([], NOW, '#/oncall').text).toBeNull();
    const before = oncallHeaderModel([team([primary(null, null, H1)])], NOW, '#/oncall');
    expect(before.text).toBe('On call: nobody (starts 07:00)');
  });
});

const rotation: Rotation = {
  id: 'rot_p',
  teamId: 'team_n',
  name: 'Primary',
  shift: 'daily',
  handoffTime: '07:00',
  startDate: '2026-03-01',
  members: ['ana', 'ben'],
  archivedAt: null,
  createdAt: 0,
  updatedAt: 0,
  updatedBy: 'coord',
};

describe('the rota page', () => {
  const answers = [
    answer(NOW, [primary('ana', H1 - 86_400_000, H1)]),
    answer(H1, [primary('ben', H1, H2)]),
    answer(H2, [primary('ana', H2, H2 + 86_400_000)]),
  ];

  it('joins the answers asked at each handoff into shifts, and knows when to ask next', () => {
    const segments = segmentsOf(answers).get('rot_p') ?? [];
    expect(segments.map((s) => [s.username, s.start, s.end])).toEqual([
      ['ana', H1 - 86_400_000, H1],
      ['ben', H1, H2],
      ['ana', H2, H2 + 86_400_000],
    ]);
    expect(nextQueryAt(answers.slice(0, 1))).toBe(H1);
    expect(nextQueryAt(answers)).toBe(H2 + 86_400_000);
  });

  it('offers a nurse the shifts that are not hers, and lists overrides with cancel for their own', () => {
    const override: Override = {
      id: 'ovr_1',
      teamId: 'team_n',
      rotationId: 'rot_p',
      username: 'ben',
      replaces: 'ana',
      from: H2,
      to: H2 + 86_400_000,
      note: 'swap',
      createdAt: 0,
      createdBy: 'ben',
      cancelledAt: null,
      cancelledBy: null,
    };
    const view = teamRota(
      {
        teamId: 'team_n',
        teamName: 'North',
        rotations: [rotation],
        overrides: [override],
        answers,
        policy: null,
        error: null,
      },
      { username: 'ben', role: 'nurse' },
      NOW,
    );
    const block = view.rotations[0];
    expect(block?.patternText).toBe('Daily, handoff 07:00 (Europe/London) from 2026-03-01 · ana, ben');
    expect(block?.nowText).toBe('Now: ana (until 07:00)');
    expect(block?.shifts.map((s) => [s.username, s.canTake, s.now])).toEqual([
      ['ana', true, true],
      ['ben', false, false],
      ['ana', true, false],
    ]);
    // Taking the shift in progress starts now, not at its start.
    expect(block?.shifts[0]?.from).toBe(NOW);
    expect(block?.shifts[1]?.text).toBe('Tue 31 Mar 07:00 – Wed 1 Apr 07:00: ben');
    expect(view.overrides).toEqual([
      {
        id: 'ovr_1',
        text: 'Wed 1 Apr 07:00 – Thu 2 Apr 07:00: ben covers for ana (Primary) — swap; made by ben',
        canCancel: true,
      },
    ]);
    expect(view.canEdit).toBe(false);
    const viewer = teamRota(
      {
        teamId: 'team_n',
        teamName: 'North',
        rotations: [rotation],
        overrides: [override],
        answers,
        policy: null,
        error: null,
      },
      { username: 'vic', role: 'viewer' },
      NOW,
    );
    expect(viewer.rotations[0]?.shifts.some((s) => s.canTake)).toBe(false);
    expect(viewer.overrides[0]?.canCancel).toBe(false);
  });

  it('lets the team lead, a coordinator and an admin edit, not a nurse or the lead of a default policy', () => {
    const policy = {
      teamId: 'team_n',
      leadUsername: 'ana',
      steps: [],
      repeat: 2,
      stopOn: ['acknowledged' as const],
      updatedAt: 1,
      updatedBy: 'c',
      isDefault: false,
    };
    expect(canEditRota({ username: 'ana', role: 'nurse' }, policy)).toBe(true);
    expect(canEditRota({ username: 'ben', role: 'nurse' }, policy)).toBe(false);
    expect(canEditRota({ username: 'ana', role: 'nurse' }, { ...policy, isDefault: true })).toBe(false);
    expect(canEditRota({ username: 'c', role: 'coordinator' }, null)).toBe(true);
    expect(canEditRota({ username: 'ana', role: 'viewer' }, policy)).toBe(false);
  });

  it('checks the editor with the server’s schema, each problem on its field', () => {
    const row = {
      id: 'rot_p',
      name: 'Primary',
      shift: 'daily',
      handoffTime: '7am',
      handoffWeekday: '',
      startDate: '2026-03-01',
      members: 'ana, b@d name!',
    };
    const checked = validateRotations([row]);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(Object.keys(checked.errors).sort()).toEqual(['0.handoffTime', '0.members']);
    expect(checked.errors['0.handoffTime']).toMatch(/HH:MM/);
    const weekly = validateRotations([{ ...row, handoffTime: '07:00', members: 'ana', shift: 'weekly' }]);
    expect(weekly.ok ? {} : weekly.errors).toEqual({ '0.handoffWeekday': expect.stringMatching(/weekday/) });
    const good = validateRotations([{ ...row, handoffTime: '19:30', members: 'ana, ben\nsam' }]);
    expect(good).toEqual({
      ok: true,
      body: [
        {
          id: 'rot_p',
          name: 'Primary',
          shift: 'daily',
          handoffTime: '19:30',
          startDate: '2026-03-01',
          members: ['ana', 'ben', 'sam'],
        },
      ],
    });
  });

  it('puts the server’s issues on the same fields', () => {
    expect(rotaFieldOf('1.members.3')).toBe('1.members');
    expect(rotaFieldOf('whatever')).toBe('_form');
    expect(
      rotaServerErrors({ code: 'VALIDATION_FAILED', issues: [{ path: '0.handoffTime', message: 'bad' }] }),
    ).toEqual({
      '0.handoffTime': 'bad',
    });
    expect(rotaServerErrors({ code: 'FORBIDDEN' })._form).toMatch(/team lead/);
  });
});

describe('my devices', () => {
  it('lists devices with their push service and last success', () => {
    const rows = deviceRows(
      [
        {
          id: 'dev_1',
          label: 'Chrome on Android',
          pushService: 'https://fcm.googleapis.com',
          createdAt: NOW - 86_400_000,
          lastSuccessAt: NOW - 180_000,
        },
      ],
      NOW,
    );
    expect(rows[0]?.detailText).toBe(
      'via fcm.googleapis.com · added 2026-03-29 · last page delivered 3 min ago',
    );
  });

  it('checks the contact details as the server does, each problem on its field', () => {
    expect(contactBody({ email: ' ', smsNumber: '+44 7700 900-123' })).toEqual({
      email: null,
      smsNumber: '+447700900123',
    });
    const bad = validateContact({ email: 'ana@', smsNumber: '07700900123' });
    expect(bad.ok).toBe(false);
    expect(bad.ok ? {} : Object.keys(bad.errors).sort()).toEqual(['email', 'smsNumber']);
    expect(validateContact({ email: 'ana@example.org', smsNumber: '' })).toEqual({
      ok: true,
      body: { email: 'ana@example.org', smsNumber: null },
    });
  });
});

describe('a "nobody reachable" alert on the console', () => {
  it('names the team, links its rota, and shows no pump', () => {
    const view = alertRowView(
      alert({
        id: 'team_n.nobody_reachable.1',
        rule: 'nobody_reachable',
        pumpId: 'team_n',
        hubId: 'pumpwatch',
        patient: null,
        therapy: null,
      }),
      2_000_000,
      undefined,
      { teamName: 'North' },
    );
    expect(view.patientText).toBe('North');
    expect(view.patientHref).toBe('#/teams/team_n/oncall');
    expect(view.pumpText).toBe('On-call rota of North');
    expect(view.ackLabel).not.toContain('team_n on');
    expect(view.detailHref).toBe('#/alerts/team_n.nobody_reachable.1');
  });
});
