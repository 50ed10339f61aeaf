import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import type { Channel, PageMessage, Receipt } from '../src/paging/channels/channel.js';
import { type BuiltServer, buildServer } from '../src/server.js';
import { sample } from './fixtures.js';

/**
 * The paging engine with time passed in (docs/paging.md#escalation): a real server on the memory or
 * DuckDB store, real on-call rotations in Europe/Paris, and a channel that records what it would send.
 */
const MIN = 60_000;
const ZONE = 'Europe/Paris';
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis();

interface Sent {
  recipient: string;
  reason: PageMessage['reason'];
  at: number;
  step: number;
}

/** A channel to every person, answering `sent` unless the person is in `failing`. */
function recordingChannel(clock: { now: number }, failing: Set<string>) {
  const sent: Sent[] = [];
  const channel: Channel = {
    name: 'push',
    async deliver(message): Promise<Receipt[]> {
      const fails = failing.has(message.recipient) || failing.has('*');
      sent.push({ recipient: message.recipient, reason: message.reason, at: clock.now, step: message.step });
      return [
        {
          channel: 'push',
          target: `${message.recipient}'s phone`,
          recipient: message.recipient,
          status: fails ? 'failed' : 'sent',
          at: clock.now,
          attempts: 1,
          ...(fails ? { error: 'push service answered 500' } : { statusCode: 201 }),
        },
      ];
    },
  };
  return { channel, sent };
}

const servers: BuiltServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function ward(options: {
  paging?: Record<string, unknown>;
  start: number;
  failing?: string[];
  dataDir?: string;
  storeKind?: 'memory' | 'duckdb';
}) {
  const clock = { now: options.start };
  const failing = new Set(options.failing ?? []);
  const { channel, sent } = recordingChannel(clock, failing);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pw-paging-'));
  if (!options.dataDir) dirs.push(dataDir);
  const config = parseServerConfig({
    dataDir,
    store: { kind: options.storeKind ?? 'memory' },
    auth: { mode: 'required', adminUser: 'root-admin', adminPassword: 'correct horse battery staple' },
    ...(options.paging ? { paging: options.paging } : {}),
  });
  const server = await buildServer(config, {
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    channels: [channel],
  });
  servers.push(server);
  return { server, clock, sent, failing };
}

/** A team with a primary rotation (Ana, then Ben, daily at 07:00), a secondary (Cy) and a lead (Lee). */
async function careTeam(server: BuiltServer) {
  const admin = { username: 'root-admin', role: 'admin' as const };
  const team = await server.care.createTeam(
    { name: 'North', timeZone: ZONE, members: ['ana', 'ben', 'cy', 'lee'] },
    'root-admin',
  );
  const [primary, secondary] = await server.oncall.putRotations(
    team.id,
    [
      {
        name: 'Primary',
        shift: 'daily',
        handoffTime: '07:00',
        startDate: '2026-03-01',
        members: ['ana', 'ben'],
      },
      { name: 'Secondary', shift: 'daily', handoffTime: '07:00', startDate: '2026-03-01', members: ['cy'] },
    ],
    admin,
  );
  const delays = { high: 2 * MIN, medium: 10 * MIN, low: null };
  await server.oncall.setPolicy(
    team.id,
    {
      leadUsername: 'lee',
      repeat: 0,
      steps: [
        { targets: [{ kind: 'rotation', rotationId: primary?.id as string }], delayMs: delays },
        { targets: [{ kind: 'rotation', rotationId: secondary?.id as string }], delayMs: delays },
        { targets: [{ kind: 'team_lead' }], delayMs: delays },
      ],
    },
    admin,
  );
  const patient = await server.care.createPatient(
    { displayName: 'Zephyrine Quill', birthDate: '1950-01-01', teamId: team.id },
    'root-admin',
  );
  const therapy = await server.care.createTherapy(
    patient.id,
    {
      drug: 'vancomycin',
      dose: '1 g',
      order: { rate_mL_h: 5, vtbi_mL: 100, tolerance_pct: 10 },
      schedule: { kind: 'continuous' },
      startDate: '2026-03-01',
    },
    'root-admin',
  );
  await server.care.assign('PUMP-1', therapy.id, 'root-admin', server.oncall.now() - MIN);
  return team;
}

/** Raises a high occlusion on PUMP-1 at the clock's time and lets the first page go out. */
async function occlusion(server: BuiltServer, clock: { now: number }, seq = 1) {
  server.ward.onSample(
    'hub-1',
    'PUMP-1',
    sample({ seq, ts: clock.now, alarms: ['occlusion'], pressure_mmHg: 320 }),
  );
  await settle(server);
  const alert = server.ward.openAlerts().find((a) => a.rule === 'occlusion_downstream');
  if (!alert) throw new Error('no occlusion alert');
  return alert;
}

/** Lets the engine finish what it started (pages are async) at the current clock. */
async function settle(server: BuiltServer) {
  for (let i = 0; i < 5; i += 1) {
    await server.pager.tick();
    await new Promise((resolve) => setImmediate(resolve));
    await server.pager.idle();
  }
}

async function at(server: BuiltServer, clock: { now: number }, time: number) {
  clock.now = time;
  await settle(server);
}

const paged = (sent: Sent[]) => sent.filter((s) => s.reason !== 'acknowledged').map((s) => s.recipient);

describe('escalation along the team policy', () => {
  it('pages the primary, then the secondary at 2 min and the lead at 4 min', async () => {
    const start = local('2026-03-10T03:00');
    const { server, clock, sent } = await ward({ start });
    await careTeam(server);
    await occlusion(server, clock);
    expect(paged(sent)).toEqual(['ana']);
    await at(server, clock, start + 2 * MIN - 1000);
    expect(paged(sent)).toEqual(['ana']);
    await at(server, clock, start + 2 * MIN);
    expect(paged(sent)).toEqual(['ana', 'cy']);
    await at(server, clock, start + 4 * MIN);
    expect(sent.map((s) => [s.recipient, s.reason, s.at - start])).toEqual([
      ['ana', 'raised', 0],
      ['cy', 'escalated', 2 * MIN],
      ['lee', 'escalated', 4 * MIN],
    ]);
  });

  it('stops every later step at an acknowledgement at 3 min and tells whoever was reached', async () => {
    const start = local('2026-03-10T03:00');
    const { server, clock, sent } = await ward({ start });
    await careTeam(server);
    const alert = await occlusion(server, clock);
    await at(server, clock, start + 2 * MIN);
    clock.now = start + 3 * MIN;
    await server.ward.acknowledge(alert.id, 'ana');
    await settle(server);
    await at(server, clock, start + 20 * MIN);
    expect(paged(sent)).toEqual(['ana', 'cy']);
    expect(
      sent
        .filter((s) => s.reason === 'acknowledged')
        .map((s) => s.recipient)
        .sort(),
    ).toEqual(['ana', 'cy']);
    const events = await server.storage.alerts.events(alert.id);
    const receipts = events.filter((e) => e.type === 'notified').map((e) => [e.actor, e.details?.status]);
    expect(receipts).toEqual(
      expect.arrayContaining([
        ['push:ana', 'sent'],
        ['push:cy', 'sent'],
      ]),
    );
  });

  it('pages again for an alert reopened after its paging stopped, and not for one reopened acknowledged', async () => {
    // Issue 16: a condition back within its hold-off reopens the same alert (`retriggered`).
    const start = local('2026-03-10T03:00');
    const { server, clock, sent } = await ward({ start });
    await careTeam(server);
    let seq = 0;
    const battery = async (pct: number, atMs: number) => {
      clock.now = start + atMs;
      seq += 1;
      server.ward.onSample(
        'hub-1',
        'PUMP-1',
        sample({ seq, ts: clock.now, onBattery: true, battery_pct: pct }),
      );
      await settle(server);
    };
    await battery(19, 0);
    const alert = server.ward.openAlerts().find((a) => a.rule === 'battery_low');
    expect(paged(sent)).toEqual(['ana']);
    await battery(25, MIN);
    await battery(19, 2 * MIN);
    expect(server.ward.openAlerts().find((a) => a.rule === 'battery_low')?.id).toBe(alert?.id);
    expect(sent.map((s) => `${s.recipient}:${s.reason}`)).toEqual([
      'ana:raised',
      'ana:resolved',
      'ana:raised',
    ]);

    await server.ward.acknowledge(alert?.id as string, 'ana');
    await battery(25, 3 * MIN);
    await battery(19, 4 * MIN);
    expect(server.ward.openAlerts().find((a) => a.rule === 'battery_low')?.status).toBe('acknowledged');
    // Told of the acknowledgement, then nothing for the reopening: someone already answers for it.
    expect(sent.slice(3).map((s) => `${s.recipient}:${s.reason}`)).toEqual(['ana:acknowledged']);
    const types = (await server.storage.alerts.events(alert?.id as string)).map((e) => e.type);
    expect(types.filter((t) => t === 'retriggered')).toHaveLength(2);
  });

  it('moves paging to the next person at the 07:00 handoff, on an ordinary day and on the DST day', async () => {
    // Ana and Ben alternate daily from 07:00 on 1 March: shift n is Ana's when n is even.
    const expected: Array<[string, string, string]> = [
      ['2026-03-10', 'ana', 'ben'],
      ['2026-03-29', 'ben', 'ana'], // clocks go forward at 02:00: the night shift is 23 h
      ['2026-10-25', 'ben', 'ana'], // clocks go back at 03:00: the night shift is 25 h
    ];
    for (const [day, night, morning] of expected) {
      const before = await ward({ start: local(`${day}T06:59`) });
      await careTeam(before.server);
      await occlusion(before.server, before.clock);
      const after = await ward({ start: local(`${day}T07:00`) });
      await careTeam(after.server);
      await occlusion(after.server, after.clock);
      expect({ day, before: paged(before.sent), after: paged(after.sent) }).toEqual({
        day,
        before: [night],
        after: [morning],
      });
    }
  });

  it('raises nobody_reachable for the team when every channel fails, and tells the lead and the admins', async () => {
    const start = local('2026-03-10T03:00');
    const { server, clock, sent } = await ward({ start, failing: ['*'] });
    const team = await careTeam(server);
    const alert = await occlusion(server, clock);
    const alarm = server.ward.openAlerts().find((a) => a.rule === 'nobody_reachable');
    expect(alarm).toMatchObject({ pumpId: team.id, priority: 'high', details: { alertIds: [alert.id] } });
    expect(alarm?.message).toContain('North');
    expect(sent.map((s) => s.recipient)).toEqual(expect.arrayContaining(['ana', 'lee', 'root-admin']));
    expect(server.pager.snapshot()).toMatchObject({ nobodyReachable: 1, receiptsFailed: expect.any(Number) });
  });

  it('raises nobody_reachable when a team has patients and nobody on call, and clears it when someone is', async () => {
    const start = local('2026-03-10T03:00');
    const { server, clock } = await ward({ start });
    const team = await careTeam(server);
    await server.oncall.putRotations(
      team.id,
      [{ name: 'Primary', shift: 'daily', handoffTime: '07:00', startDate: '2026-03-01', members: [] }],
      { username: 'root-admin', role: 'admin' },
    );
    await at(server, clock, start + 1000);
    expect(server.ward.openAlerts().map((a) => [a.rule, a.details.reason])).toContainEqual([
      'nobody_reachable',
      'nobody_on_call',
    ]);
    await server.oncall.putRotations(
      team.id,
      [{ name: 'Primary', shift: 'daily', handoffTime: '07:00', startDate: '2026-03-01', members: ['ana'] }],
      { username: 'root-admin', role: 'admin' },
    );
    await at(server, clock, start + 2000);
    const alarm = server.ward.openAlerts().find((a) => a.rule === 'nobody_reachable');
    // A high alarm nobody acknowledged latches when its condition ends (docs/alerts.md).
    expect(alarm === undefined || alarm.latched === true).toBe(true);
  });
});

describe('restart', () => {
  it('carries on with the next step after a restart and sends no finished page again', async () => {
    const start = local('2026-03-10T03:00');
    const dataDir = mkdtempSync(join(tmpdir(), 'pw-paging-restart-'));
    dirs.push(dataDir);
    const first = await ward({ start, dataDir, storeKind: 'duckdb' });
    await careTeam(first.server);
    await occlusion(first.server, first.clock);
    expect(paged(first.sent)).toEqual(['ana']);
    await first.server.close();
    servers.splice(servers.indexOf(first.server), 1);

    const second = await ward({ start: start + MIN, dataDir, storeKind: 'duckdb' });
    await settle(second.server);
    expect(paged(second.sent)).toEqual([]);
    await at(second.server, second.clock, start + 2 * MIN);
    expect(paged(second.sent)).toEqual(['cy']);
  });
});

describe('the engine’s routes', () => {
  it('sends a test page as a real one goes, and shows an alert’s escalation path', async () => {
    const start = local('2026-03-10T03:00');
    const { server, clock, sent } = await ward({ start });
    await careTeam(server);
    const login = await server.app.inject({
      method: 'POST',
      url: '/api/login',
      payload: { username: 'root-admin', password: 'correct horse battery staple' },
    });
    const headers = { authorization: `Bearer ${login.json().token}` };
    const test = await server.app.inject({ method: 'POST', url: '/api/me/test-page', headers });
    expect(test.statusCode).toBe(200);
    expect(test.json().receipts).toEqual([
      expect.objectContaining({ recipient: 'root-admin', status: 'sent' }),
    ]);
    expect(sent).toEqual([expect.objectContaining({ recipient: 'root-admin', reason: 'test' })]);

    const alert = await occlusion(server, clock);
    const path = await server.app.inject({ method: 'GET', url: `/api/alerts/${alert.id}/paging`, headers });
    expect(path.json()).toMatchObject({
      state: 'paging',
      attempt: 1,
      reached: ['ana'],
      steps: [{ usernames: ['ana'] }, { usernames: ['cy'] }, { usernames: ['lee'] }],
    });
    const anonymous = await server.app.inject({ method: 'GET', url: `/api/alerts/${alert.id}/paging` });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('the SMS gateway’s acknowledgement', () => {
  it('acknowledges only as a nurse a page for that alert reached', async () => {
    const inboundToken = 'g'.repeat(40);
    const start = local('2026-03-10T03:00');
    const { server, clock } = await ward({
      start,
      paging: { smsWebhook: { url: 'http://127.0.0.1:9/unused', secret: 's'.repeat(40), inboundToken } },
    });
    await careTeam(server);
    for (const username of ['ana', 'cy'])
      await server.security.users.create(username, 'lighthouse saxophone marmalade', 'nurse');
    const alert = await occlusion(server, clock);
    const ack = (username: string) =>
      server.app.inject({
        method: 'POST',
        url: '/api/gateway/ack',
        headers: { authorization: `Bearer ${inboundToken}` },
        payload: { alertId: alert.id, username },
      });
    const notPaged = await ack('cy');
    expect(notPaged.statusCode).toBe(403);
    expect(server.ward.openAlert(alert.id)?.status).toBe('active');
    const paged = await ack('ana');
    expect(paged.statusCode).toBe(200);
    expect(server.ward.openAlert(alert.id)?.acknowledgedBy).toBe('ana');
  });
});
