import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { type BuiltServer, buildServer } from '../src/server.js';

/** The on-call API through `inject` on the memory store (docs/oncall.md): roles, validation, audit, feed. */
const USERS = {
  admin: { username: 'oc-admin', password: 'correct horse battery staple', role: 'admin' },
  coordinator: { username: 'oc-coord', password: 'quartz umbrella tangerine', role: 'coordinator' },
  ana: { username: 'oc-ana', password: 'lighthouse saxophone marmalade', role: 'nurse' },
  ben: { username: 'oc-ben', password: 'glacier pretzel velvet accordion', role: 'nurse' },
  lena: { username: 'oc-lena', password: 'meadow trombone cinnamon lantern', role: 'nurse' },
  stranger: { username: 'oc-stranger', password: 'basalt kumquat origami tundra', role: 'nurse' },
  viewer: { username: 'oc-viewer', password: 'orbit walrus harpsichord', role: 'viewer' },
} as const;
type As = keyof typeof USERS;

// 2026-03-29, Paris's spring change: 07:00 CEST is 05:00Z; the day before, 07:00 CET was 06:00Z.
const HANDOFF = Date.parse('2026-03-29T05:00:00Z');
const now = Date.parse('2026-03-29T03:00:00Z');
let server: BuiltServer;
let dataDir: string;
const tokens: Partial<Record<As, string>> = {};

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, as?: As, payload?: unknown) {
  const response = await server.app.inject({
    method,
    url,
    ...(as ? { headers: { authorization: `Bearer ${tokens[as]}` } } : {}),
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  const json = response.headers['content-type']?.toString().startsWith('application/json');
  return {
    status: response.statusCode,
    body: json ? response.json() : response.body,
    headers: response.headers,
  };
}

const DAILY = {
  name: 'Primary',
  shift: 'daily',
  handoffTime: '07:00',
  startDate: '2026-03-01',
  members: ['oc-ana', 'oc-ben'],
};
const WEBHOOK = 'https://pager.example/hooks/nurse';
let teamId: string;
let primaryId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pumpwatch-oncall-'));
  const config = parseServerConfig({
    dataDir,
    store: { kind: 'memory' },
    auth: { mode: 'required', adminUser: USERS.admin.username, adminPassword: USERS.admin.password },
    escalation: { tiers: [{ name: 'on-call nurse', webhooks: [WEBHOOK] }, { name: 'supervisor' }] },
  });
  server = await buildServer(config, { logger: pino({ level: 'silent' }), now: () => now });
  tokens.admin = (await call('POST', '/api/login', undefined, USERS.admin)).body.token;
  for (const as of ['coordinator', 'ana', 'ben', 'lena', 'stranger', 'viewer'] as const) {
    expect((await call('POST', '/api/users', 'admin', USERS[as])).status).toBe(201);
    tokens[as] = (await call('POST', '/api/login', undefined, USERS[as])).body.token;
  }
  const team = await call('POST', '/api/teams', 'admin', {
    name: 'North',
    timeZone: 'Europe/Paris',
    members: ['oc-ana', 'oc-ben', 'oc-lena'],
  });
  teamId = team.body.id;
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('rotations', () => {
  it('lets only a coordinator (or the lead, below) set them, and refuses bad fields by path', async () => {
    expect((await call('PUT', `/api/teams/${teamId}/rotations`, 'viewer', [DAILY])).status).toBe(403);
    const nurse = await call('PUT', `/api/teams/${teamId}/rotations`, 'ana', [DAILY]);
    expect(nurse.status).toBe(403);
    expect(nurse.body.error.code).toBe('FORBIDDEN');
    const bad = await call('PUT', `/api/teams/${teamId}/rotations`, 'coordinator', [
      { ...DAILY, handoffTime: '7am' },
      { ...DAILY, shift: 'weekly' },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      '0.handoffTime',
      '1.handoffWeekday',
    ]);
    expect((await call('GET', `/api/teams/${teamId}/rotations`, 'viewer')).body).toEqual([]);
    const unknown = await call('PUT', `/api/teams/${teamId}/rotations`, 'coordinator', [
      { ...DAILY, id: 'rot_none' },
    ]);
    expect(unknown.body.error.code).toBe('ROTATION_NOT_FOUND');
    expect(
      (await call('PUT', '/api/teams/team_none/rotations', 'coordinator', [DAILY])).body.error.code,
    ).toBe('TEAM_NOT_FOUND');

    const set = await call('PUT', `/api/teams/${teamId}/rotations`, 'coordinator', [DAILY]);
    expect(set.status).toBe(200);
    expect(set.body).toEqual([
      expect.objectContaining({ ...DAILY, teamId, archivedAt: null, updatedBy: 'oc-coord' }),
    ]);
    primaryId = set.body[0].id;
  });

  it('answers who is on call at 06:59 and 07:00 local on the change day, by ISO or epoch ms', async () => {
    const before = await call('GET', `/api/teams/${teamId}/oncall?at=2026-03-29T06:59:00%2B02:00`, 'viewer');
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      teamId,
      at: HANDOFF - 60_000,
      timeZone: 'Europe/Paris',
      rotations: [
        {
          rotationId: primaryId,
          rotationName: 'Primary',
          username: 'oc-ben',
          shiftStart: Date.parse('2026-03-28T06:00:00Z'),
          shiftEnd: HANDOFF,
        },
      ],
    });
    const after = await call('GET', `/api/teams/${teamId}/oncall?at=${HANDOFF}`, 'viewer');
    expect(after.body.rotations[0].username).toBe('oc-ana');
    // Without `at`: the server's clock (03:00Z, before the handoff).
    expect((await call('GET', `/api/teams/${teamId}/oncall`, 'viewer')).body.at).toBe(now);
    const garbled = await call('GET', `/api/teams/${teamId}/oncall?at=tuesday`, 'viewer');
    expect(garbled.status).toBe(400);
    expect(garbled.body.error.code).toBe('VALIDATION_FAILED');
    expect((await call('GET', '/api/teams/team_none/oncall', 'viewer')).body.error.code).toBe(
      'TEAM_NOT_FOUND',
    );
  });
});

describe('escalation policy', () => {
  it("is the config's tiers until the team has its own, with the team's rotations paged first", async () => {
    const policy = await call('GET', `/api/teams/${teamId}/escalation-policy`, 'viewer');
    expect(policy.body).toMatchObject({
      teamId,
      isDefault: true,
      leadUsername: null,
      repeat: 2,
      steps: [
        {
          targets: [
            { kind: 'rotation', rotationId: primaryId },
            { kind: 'webhook', url: WEBHOOK },
          ],
          delayMs: { high: 120_000, medium: 600_000, low: null },
        },
        { targets: [] },
      ],
    });
  });

  it('is set by a coordinator, naming the lead; a rotation of no such name is refused by its path', async () => {
    const unknown = await call('PUT', `/api/teams/${teamId}/escalation-policy`, 'coordinator', {
      leadUsername: 'oc-lena',
      steps: [{ targets: [{ kind: 'rotation', rotationId: 'rot_other' }] }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues).toEqual([
      expect.objectContaining({ path: 'steps.0.targets.0.rotationId' }),
    ]);
    expect((await call('PUT', `/api/teams/${teamId}/escalation-policy`, 'lena', { steps: [] })).status).toBe(
      400,
    );
    const set = await call('PUT', `/api/teams/${teamId}/escalation-policy`, 'coordinator', {
      leadUsername: 'oc-lena',
      steps: [
        { targets: [{ kind: 'rotation', rotationId: primaryId }] },
        { targets: [{ kind: 'team_lead' }], delayMs: { high: 60_000, medium: 300_000, low: null } },
      ],
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ isDefault: false, repeat: 2, stopOn: ['acknowledged', 'resolved'] });
    expect(set.body.steps[0].delayMs).toEqual({ high: 120_000, medium: 600_000, low: null });
    expect(server.oncall.recipientsOfStep(teamId, 1, HANDOFF)).toEqual({
      usernames: ['oc-lena'],
      webhooks: [],
      unresolved: [],
    });
  });

  it('lets the lead edit the rota and the steps, but not name another lead', async () => {
    const rota = await call('PUT', `/api/teams/${teamId}/rotations`, 'lena', [{ ...DAILY, id: primaryId }]);
    expect(rota.status).toBe(200);
    const handOn = await call('PUT', `/api/teams/${teamId}/escalation-policy`, 'lena', {
      leadUsername: 'oc-ana',
      steps: [{ targets: [{ kind: 'team_lead' }] }],
    });
    expect(handOn.status).toBe(403);
    const steps = await call('PUT', `/api/teams/${teamId}/escalation-policy`, 'lena', {
      leadUsername: 'oc-lena',
      repeat: 1,
      steps: [
        { targets: [{ kind: 'rotation', rotationId: primaryId }] },
        { targets: [{ kind: 'team_lead' }] },
      ],
    });
    expect(steps.status).toBe(200);
    expect(steps.body.updatedBy).toBe('oc-lena');
  });
});

describe('overrides', () => {
  const tonight = { from: Date.parse('2026-03-29T18:00:00Z'), to: Date.parse('2026-03-30T05:00:00Z') };
  let overrideId: string;

  it('lets a member take a shift for herself, not for someone else, and not a stranger', async () => {
    const body = {
      rotationId: primaryId,
      username: 'oc-ben',
      replaces: 'oc-ana',
      ...tonight,
      note: 'I take Sunday night for Ana',
    };
    expect((await call('POST', `/api/teams/${teamId}/overrides`, 'viewer', body)).status).toBe(403);
    expect((await call('POST', `/api/teams/${teamId}/overrides`, 'ana', body)).status).toBe(403);
    expect(
      (await call('POST', `/api/teams/${teamId}/overrides`, 'stranger', { ...body, username: 'oc-stranger' }))
        .status,
    ).toBe(403);
    const backwards = await call('POST', `/api/teams/${teamId}/overrides`, 'ben', {
      ...body,
      to: tonight.from,
    });
    expect(backwards.body.error.issues).toEqual([expect.objectContaining({ path: 'to' })]);
    const created = await call('POST', `/api/teams/${teamId}/overrides`, 'ben', body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...body, teamId, createdBy: 'oc-ben', cancelledAt: null });
    overrideId = created.body.id;

    const during = await call('GET', `/api/teams/${teamId}/oncall?at=${tonight.from + 3_600_000}`, 'viewer');
    expect(during.body.rotations[0]).toMatchObject({
      username: 'oc-ben',
      overriddenFrom: 'oc-ana',
      overrideId,
      shiftStart: tonight.from,
      shiftEnd: tonight.to,
    });
    expect(
      (await call('GET', `/api/teams/${teamId}/overrides`, 'viewer')).body.map((o: { id: string }) => o.id),
    ).toEqual([overrideId]);
  });

  it('is cancelled by its owner or the lead, not by another nurse; unknown ids are 404', async () => {
    expect((await call('DELETE', `/api/teams/${teamId}/overrides/${overrideId}`, 'ana')).status).toBe(403);
    expect((await call('DELETE', `/api/teams/${teamId}/overrides/ovr_none`, 'ben')).body.error.code).toBe(
      'OVERRIDE_NOT_FOUND',
    );
    const cancelled = await call('DELETE', `/api/teams/${teamId}/overrides/${overrideId}`, 'ben');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ cancelledAt: now, cancelledBy: 'oc-ben' });
    const during = await call('GET', `/api/teams/${teamId}/oncall?at=${tonight.from + 3_600_000}`, 'viewer');
    expect(during.body.rotations[0].username).toBe('oc-ana');
    expect((await call('GET', `/api/teams/${teamId}/overrides`, 'viewer')).body).toEqual([]);
    expect((await call('GET', `/api/teams/${teamId}/overrides?all=true`, 'viewer')).body).toHaveLength(1);
  });

  it('audits every rota, policy and override change with actor, before and after', async () => {
    const audit = await call('GET', '/api/audit?limit=1000', 'admin');
    const mine = audit.body.filter((entry: { action: string }) =>
      /^(rotation_|override_|escalation_policy_)/.test(entry.action),
    );
    expect(
      mine.map((entry: { action: string; actor: string }) => `${entry.actor} ${entry.action}`).reverse(),
    ).toEqual([
      'oc-coord rotation_created',
      'oc-coord escalation_policy_set',
      'oc-lena escalation_policy_set',
      'oc-ben override_created',
      'oc-ben override_cancelled',
    ]);
    const cancelled = mine[0];
    expect(cancelled.before).toMatchObject({ cancelledAt: null });
    expect(cancelled.after).toMatchObject({ cancelledBy: 'oc-ben' });
  });
});

describe('nobody reachable', () => {
  it('names a team whose every rotation resolves to nobody', async () => {
    expect(server.oncall.teamsWithNobodyOnCall(HANDOFF)).toEqual([]);
    const empty = await call('POST', '/api/teams', 'admin', { name: 'South', timeZone: 'America/New_York' });
    await call('PUT', `/api/teams/${empty.body.id}/rotations`, 'coordinator', [{ ...DAILY, members: [] }]);
    expect(server.oncall.teamsWithNobodyOnCall(HANDOFF)).toEqual([
      { teamId: empty.body.id, reason: 'nobody_on_call' },
    ]);
  });
});

/** RFC 5545 content lines: folded lines (CRLF + space) joined, then split per VEVENT. */
function events(ics: string): Array<Record<string, string>> {
  const lines = ics.replace(/\r\n[ \t]/g, '').split('\r\n');
  const out: Array<Record<string, string>> = [];
  let current: Record<string, string> | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT' && current) {
      out.push(current);
      current = undefined;
    } else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  return out;
}

describe('calendar feed', () => {
  let feedPath: string;

  it('gives a signed-in user a feed URL whose token is shown once and never audited', async () => {
    const created = await call('POST', '/api/me/oncall-feed-token', 'ana');
    expect(created.status).toBe(201);
    expect(created.body.username).toBe('oc-ana');
    expect(created.body.token).toMatch(/^pwcal_[A-Za-z0-9_-]{43}$/);
    feedPath = created.body.feedPath;
    expect(feedPath).toBe(`/api/oncall/oc-ana.ics?token=${created.body.token}`);
    const audit = await call('GET', '/api/audit?action=oncall_feed_token_created', 'admin');
    expect(audit.body).toHaveLength(1);
    expect(JSON.stringify(audit.body)).not.toContain(created.body.token);
  });

  it("serves the person's shifts as iCalendar with UTC times, 23 h on the spring change day", async () => {
    const feed = await call('GET', feedPath);
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const ics = feed.body as string;
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.trimEnd().endsWith('END:VCALENDAR')).toBe(true);
    const shifts = events(ics);
    // oc-ana has even shifts from 1 March: the 27th (07:00 CET = 06:00Z) for 23 h, then the 29th (CEST).
    const byStart = new Map(shifts.map((event) => [event.DTSTART, event]));
    expect(byStart.get('20260327T060000Z')).toMatchObject({
      DTEND: '20260328T060000Z',
      SUMMARY: 'On call: North\\, Primary',
    });
    expect(byStart.get('20260329T050000Z')).toMatchObject({ DTEND: '20260330T050000Z' });
    expect(shifts.every((event) => /^\d{8}T\d{6}Z$/.test(event.DTSTART ?? '') && event.UID)).toBe(true);
    // None of oc-ben's shifts: the 28th is his.
    expect(byStart.has('20260328T060000Z')).toBe(false);
  });

  it('refuses a missing, wrong or rotated token, and another user’s, with one answer', async () => {
    expect((await call('GET', '/api/oncall/oc-ana.ics')).status).toBe(401);
    expect((await call('GET', '/api/oncall/oc-ana.ics?token=pwcal_guess')).status).toBe(401);
    const token = new URL(feedPath, 'http://x').searchParams.get('token');
    expect((await call('GET', `/api/oncall/oc-ben.ics?token=${token}`)).status).toBe(401);
    expect((await call('GET', `/api/oncall/nobody.ics?token=${token}`)).body).toEqual(
      (await call('GET', `/api/oncall/oc-ben.ics?token=${token}`)).body,
    );
    expect((await call('GET', '/api/oncall/oc-ana.txt?token=x')).status).toBe(400);
    const rotated = await call('POST', '/api/me/oncall-feed-token', 'ana');
    expect((await call('GET', feedPath)).status).toBe(401);
    expect((await call('GET', rotated.body.feedPath)).status).toBe(200);
    expect((await call('DELETE', '/api/me/oncall-feed-token', 'ana')).status).toBe(204);
    expect((await call('GET', rotated.body.feedPath)).status).toBe(401);
  });

  it("ends with its user's account", async () => {
    const created = await call('POST', '/api/me/oncall-feed-token', 'ben');
    expect((await call('GET', created.body.feedPath)).status).toBe(200);
    expect((await call('DELETE', '/api/users/oc-ben', 'admin')).status).toBe(204);
    expect((await call('GET', created.body.feedPath)).status).toBe(401);
  });
});
