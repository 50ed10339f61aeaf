import type { EscalationPolicy, Rotation } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { defaultPolicyFromConfig } from '../src/oncall/default-policy.js';
import { escalationStep, recipientsOfStep } from '../src/oncall/recipients.js';

const zone = 'Europe/Paris';
// 2026-03-29 in Paris (the spring change): the primary rota hands off from ana to ben at 07:00 CEST.
const beforeHandoff = Date.parse('2026-03-29T04:59:00Z');
const afterHandoff = Date.parse('2026-03-29T05:00:00Z');

function rotation(id: string, members: string[]): Rotation {
  return {
    id,
    teamId: 'team_north',
    name: id,
    shift: 'daily',
    handoffTime: '07:00',
    startDate: '2026-03-01',
    members,
    archivedAt: null,
    createdAt: 0,
    updatedAt: 0,
    updatedBy: 'lead',
  };
}

const delays = { high: 120_000, medium: 600_000, low: null };
const policy: EscalationPolicy = {
  teamId: 'team_north',
  leadUsername: 'lena',
  steps: [
    { targets: [{ kind: 'rotation', rotationId: 'rot_primary' }], delayMs: delays },
    {
      targets: [
        { kind: 'rotation', rotationId: 'rot_secondary' },
        { kind: 'rotation', rotationId: 'rot_primary' },
        { kind: 'rotation', rotationId: 'rot_gone' },
      ],
      delayMs: delays,
    },
    {
      targets: [
        { kind: 'team_lead' },
        { kind: 'user', username: 'pharma' },
        { kind: 'webhook', url: 'https://pager.example/x' },
      ],
      delayMs: { high: 60_000, medium: 300_000, low: 900_000 },
    },
  ],
  repeat: 1,
  stopOn: ['acknowledged', 'resolved'],
  updatedAt: 1,
  updatedBy: 'coord',
};
const ctx = (at: number) => ({
  at,
  timeZone: zone,
  rotations: [rotation('rot_primary', ['ana', 'ben', 'cy']), rotation('rot_secondary', ['ben', 'cy', 'ana'])],
  overrides: [],
});

describe('recipientsOfStep', () => {
  it('resolves the primary rotation at the instant: ana at 06:59, ben at 07:00 on the change day', () => {
    expect(recipientsOfStep(policy, 0, ctx(beforeHandoff))).toEqual({
      usernames: ['ana'],
      webhooks: [],
      unresolved: [],
    });
    expect(recipientsOfStep(policy, 0, ctx(afterHandoff))).toEqual({
      usernames: ['ben'],
      webhooks: [],
      unresolved: [],
    });
  });

  it('pages each person once, in target order, and lists the targets that resolved to nobody', () => {
    // At 07:00: secondary has cy (shift 28 → index 1), primary ben; rot_gone does not exist.
    expect(recipientsOfStep(policy, 1, ctx(afterHandoff))).toEqual({
      usernames: ['cy', 'ben'],
      webhooks: [],
      unresolved: [{ kind: 'rotation', rotationId: 'rot_gone' }],
    });
  });

  it('resolves the team lead, named users and webhooks; no lead is an unresolved target', () => {
    expect(recipientsOfStep(policy, 2, ctx(afterHandoff))).toEqual({
      usernames: ['lena', 'pharma'],
      webhooks: ['https://pager.example/x'],
      unresolved: [],
    });
    const leaderless = { ...policy, leadUsername: null };
    expect(recipientsOfStep(leaderless, 2, ctx(afterHandoff)).unresolved).toEqual([{ kind: 'team_lead' }]);
  });

  it('treats a rotation before its start or without members as nobody', () => {
    const context = {
      ...ctx(afterHandoff),
      rotations: [{ ...rotation('rot_primary', ['ana']), startDate: '2027-01-01' }],
    };
    expect(recipientsOfStep(policy, 0, context)).toEqual({
      usernames: [],
      webhooks: [],
      unresolved: [{ kind: 'rotation', rotationId: 'rot_primary' }],
    });
  });

  it('refuses a step outside the policy', () => {
    expect(() => recipientsOfStep(policy, 3, ctx(afterHandoff))).toThrow(RangeError);
  });
});

describe('escalationStep', () => {
  it('walks the steps 1 + repeat times with the delay of the priority, then ends', () => {
    const walk = Array.from({ length: 7 }, (_, attempt) => escalationStep(policy, attempt, 'high'));
    expect(
      walk.map(
        (position) => position && [position.stepIndex, position.pass, position.delayMs, position.last],
      ),
    ).toEqual([
      [0, 0, 120_000, false],
      [1, 0, 120_000, false],
      [2, 0, 60_000, false],
      [0, 1, 120_000, false],
      [1, 1, 120_000, false],
      [2, 1, 60_000, true],
      null,
    ]);
    expect(escalationStep(policy, 0, 'low')?.delayMs).toBeNull();
    expect(escalationStep(policy, 2, 'low')?.delayMs).toBe(900_000);
  });
});

describe('defaultPolicyFromConfig', () => {
  it("maps today's tiers to steps, their webhooks to targets and the *AfterMs to every step's delays", () => {
    const config = parseServerConfig({
      escalation: {
        highAfterMs: 90_000,
        mediumAfterMs: 300_000,
        tiers: [
          { name: 'on-call nurse', webhooks: ['https://pager.example/hooks/nurse'] },
          {
            name: 'clinical supervisor',
            webhooks: ['https://pager.example/hooks/supervisor', 'https://sms.example/in'],
          },
        ],
      },
    });
    expect(defaultPolicyFromConfig(config.escalation, 'team_north')).toEqual({
      teamId: 'team_north',
      leadUsername: null,
      steps: [
        {
          targets: [{ kind: 'webhook', url: 'https://pager.example/hooks/nurse' }],
          delayMs: { high: 90_000, medium: 300_000, low: null },
        },
        {
          targets: [
            { kind: 'webhook', url: 'https://pager.example/hooks/supervisor' },
            { kind: 'webhook', url: 'https://sms.example/in' },
          ],
          delayMs: { high: 90_000, medium: 300_000, low: null },
        },
      ],
      repeat: 2,
      stopOn: ['acknowledged', 'resolved'],
      updatedAt: null,
      updatedBy: null,
    });
  });

  it('gives the default config one step with no targets and the 2 min / 10 min / not-paged delays', () => {
    const policy = defaultPolicyFromConfig(parseServerConfig({}).escalation);
    expect(policy.steps).toEqual([{ targets: [], delayMs: { high: 120_000, medium: 600_000, low: null } }]);
    expect(recipientsOfStep(policy, 0, ctx(afterHandoff))).toEqual({
      usernames: [],
      webhooks: [],
      unresolved: [],
    });
  });
});
