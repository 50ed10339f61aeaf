import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { type BuiltServer, buildServer } from '../src/server.js';
import { sample } from './fixtures.js';

/** The care API through `inject` on the memory store (docs/care.md): roles, validation, audit, alerts. */
const USERS = {
  admin: { username: 'care-admin', password: 'correct horse battery staple', role: 'admin' },
  coordinator: { username: 'care-coord', password: 'quartz umbrella tangerine', role: 'coordinator' },
  nurse: { username: 'care-nurse', password: 'lighthouse saxophone marmalade', role: 'nurse' },
  viewer: { username: 'care-viewer', password: 'orbit walrus harpsichord', role: 'viewer' },
} as const;
type As = keyof typeof USERS;
let now = 1_800_000_000_000;
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
  return { status: response.statusCode, body: response.body ? response.json() : undefined };
}

const FICTIONAL = {
  displayName: 'Zelda Quillfeather',
  birthDate: '1951-03-14',
  externalIds: [{ system: 'MRN', value: 'FICT-0001' }],
  address: { line1: '1 Imaginary Lane', city: 'Nowhere' },
  phones: [{ label: 'home', number: '+44 20 7946 0001' }],
  caregivers: [{ name: 'Otto Quillfeather', relation: 'son', phone: '+44 20 7946 0002' }],
  accessLine: { type: 'picc', insertedOn: '2026-11-25' },
};
const THERAPY = {
  drug: 'vancomycin',
  dose: '1 g',
  order: { rate_mL_h: 250, vtbi_mL: 250, tolerance_pct: 10 },
  schedule: { kind: 'intermittent', everyHours: 12, durationMin: 60, firstDoseAt: now },
  startDate: '2026-11-26',
};

let teamId: string;
let patientId: string;
let therapyId: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pumpwatch-care-'));
  const config = parseServerConfig({
    dataDir,
    store: { kind: 'memory' },
    auth: { mode: 'required', adminUser: USERS.admin.username, adminPassword: USERS.admin.password },
  });
  server = await buildServer(config, { logger: pino({ level: 'silent' }), now: () => now });
  tokens.admin = (await call('POST', '/api/login', undefined, USERS.admin)).body.token;
  for (const as of ['coordinator', 'nurse', 'viewer'] as const) {
    expect((await call('POST', '/api/users', 'admin', USERS[as])).status).toBe(201);
    tokens[as] = (await call('POST', '/api/login', undefined, USERS[as])).body.token;
  }
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('care API', () => {
  it('creates a team (admin) and refuses a bad time zone by its field', async () => {
    const bad = await call('POST', '/api/teams', 'admin', { name: 'North', timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues).toEqual([expect.objectContaining({ path: 'timeZone' })]);
    expect(
      (await call('POST', '/api/teams', 'coordinator', { name: 'North', timeZone: 'Europe/London' })).status,
    ).toBe(403);
    const team = await call('POST', '/api/teams', 'admin', {
      name: 'North',
      timeZone: 'Europe/London',
      members: ['care-nurse'],
    });
    expect(team.status).toBe(201);
    teamId = team.body.id;
  });

  it('validates a patient field by field and stores nothing when any is wrong', async () => {
    const bad = await call('POST', '/api/patients', 'coordinator', {
      ...FICTIONAL,
      teamId,
      birthDate: '14/03/1951',
      phones: [{ number: 'call me' }],
      accessLine: { type: 'garden hose' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'accessLine.type',
      'birthDate',
      'phones.0.number',
    ]);
    expect((await call('GET', '/api/patients', 'nurse')).body).toEqual([]);
    expect((await call('POST', '/api/patients', 'nurse', { ...FICTIONAL, teamId })).status).toBe(403);
    const noTeam = await call('POST', '/api/patients', 'coordinator', { ...FICTIONAL, teamId: 'team_none' });
    expect(noTeam.body.error.code).toBe('TEAM_NOT_FOUND');
  });

  it('shows a viewer initials and no contact details; a nurse the record, each read audited', async () => {
    const created = await call('POST', '/api/patients', 'coordinator', { ...FICTIONAL, teamId });
    expect(created.status).toBe(201);
    patientId = created.body.id;
    const asViewer = await call('GET', `/api/patients/${patientId}`, 'viewer');
    expect(asViewer.body).toEqual({
      id: patientId,
      displayName: 'Z. Q.',
      teamId,
      status: 'active',
      redacted: true,
    });
    const list = await call('GET', '/api/patients?q=Zelda', 'viewer');
    expect(JSON.stringify(list.body)).not.toContain('Zelda');
    const asNurse = await call('GET', `/api/patients/${patientId}`, 'nurse');
    expect(asNurse.body).toMatchObject({
      displayName: 'Zelda Quillfeather',
      caregivers: [{ name: 'Otto Quillfeather' }],
    });
    expect(
      (await call('GET', '/api/patients?q=fict-0001', 'nurse')).body.map((p: { id: string }) => p.id),
    ).toEqual([patientId]);
    const audit = (await call('GET', '/api/audit?limit=100', 'admin')).body as Array<{
      action: string;
      actor: string;
      target: string;
    }>;
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'patient_read', actor: 'care-nurse', target: patientId }),
      ]),
    );
    expect(audit.filter((entry) => entry.action === 'patient_read' && entry.actor === 'care-viewer')).toEqual(
      [],
    );
  });

  it('names the patient and drug on the pump’s alerts once the pump is assigned; a viewer sees initials', async () => {
    const therapy = await call('POST', `/api/patients/${patientId}/therapies`, 'coordinator', THERAPY);
    expect(therapy.status).toBe(201);
    therapyId = therapy.body.id;
    const assigned = await call('PUT', '/api/pumps/PUMP-7/assignment', 'coordinator', { therapyId });
    expect(assigned.body).toMatchObject({ pumpId: 'PUMP-7', therapyId, patientId, to: null });
    now += 1000;
    server.ward.onSample(
      'hub-1',
      'PUMP-7',
      sample({ seq: 1, ts: now, alarms: ['air_in_line'], state: 'stopped', rate_mL_h: 250, vtbi_mL: 250 }),
    );
    const [alert] = (await call('GET', `/api/alerts?patientId=${patientId}`, 'nurse')).body;
    expect(alert).toMatchObject({
      rule: 'air_in_line',
      patient: { id: patientId, displayName: 'Zelda Quillfeather', teamId },
      therapy: { id: therapyId, drug: 'vancomycin' },
    });
    expect((await call('GET', `/api/alerts?teamId=${teamId}`, 'nurse')).body).toHaveLength(1);
    const viewed = (await call('GET', '/api/alerts', 'viewer')).body;
    expect(viewed[0].patient.displayName).toBe('Z. Q.');
    const pump = (await call('GET', '/api/pumps/PUMP-7', 'viewer')).body;
    expect(pump.care.patient.displayName).toBe('Z. Q.');
    expect((await call('GET', '/api/pumps/PUMP-7/order', 'viewer')).body).toMatchObject({
      drug: 'vancomycin',
      rate_mL_h: 250,
    });
  });

  it('keeps earlier alerts with the first patient when the pump is reassigned', async () => {
    const second = await call('POST', '/api/patients', 'coordinator', {
      ...FICTIONAL,
      displayName: 'Basil Moonwhistle',
      teamId,
    });
    const therapy = await call('POST', `/api/patients/${second.body.id}/therapies`, 'coordinator', {
      ...THERAPY,
      drug: 'ceftriaxone',
      order: { rate_mL_h: 100, vtbi_mL: 100, tolerance_pct: 10 },
    });
    now += 1000;
    await call('PUT', '/api/pumps/PUMP-7/assignment', 'coordinator', { therapyId: therapy.body.id });
    now += 1000;
    server.ward.onSample(
      'hub-1',
      'PUMP-7',
      sample({ seq: 2, ts: now, battery_pct: 4, onBattery: true, rate_mL_h: 100 }),
    );
    const first = (await call('GET', `/api/alerts?patientId=${patientId}`, 'nurse')).body;
    expect(first.map((a: { rule: string }) => a.rule)).toEqual(['air_in_line']);
    const secondAlerts = (await call('GET', `/api/alerts?patientId=${second.body.id}`, 'nurse')).body;
    expect(secondAlerts.map((a: { rule: string }) => a.rule)).toContain('battery_low');
    const history = (await call('GET', '/api/pumps/PUMP-7/assignment', 'viewer')).body;
    expect(history.history).toHaveLength(2);
    expect(history.history[0].to).toBe(history.history[1].from);
    // A therapy's order through the pump shortcut: the therapy changes, not the pump.
    const order = await call('PUT', '/api/pumps/PUMP-7/order', 'admin', {
      drug: 'ceftriaxone',
      rate_mL_h: 120,
      vtbi_mL: 100,
    });
    expect(order.body).toMatchObject({ rate_mL_h: 120 });
    expect((await call('GET', `/api/therapies/${therapy.body.id}`, 'viewer')).body.order.rate_mL_h).toBe(120);
    expect((await call('DELETE', '/api/pumps/PUMP-7/order', 'admin')).body.error.code).toBe(
      'ORDER_IS_THERAPY',
    );
  });

  it('marks a planned pause (nurse), bounded and validated by field, audited, shown on the pump', async () => {
    expect(
      (await call('PUT', '/api/pumps/PUMP-7/pause', 'viewer', { minutes: 30, reason: 'shower' })).status,
    ).toBe(403);
    const bad = await call('PUT', '/api/pumps/PUMP-7/pause', 'nurse', { minutes: 500, reason: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'minutes',
      'reason',
    ]);
    expect((await call('GET', '/api/pumps/PUMP-7/pause', 'viewer')).body.current).toBeNull();

    const started = await call('PUT', '/api/pumps/PUMP-7/pause', 'nurse', { minutes: 30, reason: 'shower' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({
      pumpId: 'PUMP-7',
      from: now,
      until: now + 30 * 60_000,
      by: 'care-nurse',
    });
    expect((await call('GET', '/api/pumps/PUMP-7', 'viewer')).body.plannedPauseUntil).toBe(now + 30 * 60_000);
    const ended = await call('DELETE', '/api/pumps/PUMP-7/pause', 'nurse');
    expect(ended.body).toMatchObject({ endedAt: now, endedBy: 'care-nurse' });
    expect((await call('GET', '/api/pumps/PUMP-7', 'viewer')).body.plannedPauseUntil).toBeUndefined();
    expect((await call('DELETE', '/api/pumps/PUMP-7/pause', 'nurse')).body.error.code).toBe(
      'PAUSE_NOT_FOUND',
    );
    const audit = (await call('GET', '/api/audit?limit=100', 'admin')).body as Array<{
      action: string;
      target: string;
    }>;
    expect(audit.filter((entry) => entry.target === 'PUMP-7').map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['pause_started', 'pause_ended']),
    );
  });

  it('ends assignments at discharge and refuses new therapies for a discharged patient', async () => {
    expect((await call('POST', `/api/patients/${patientId}/discharge`, 'nurse')).status).toBe(403);
    const discharged = await call('POST', `/api/patients/${patientId}/discharge`, 'coordinator');
    expect(discharged.body).toMatchObject({ status: 'discharged' });
    const refused = await call('POST', `/api/patients/${patientId}/therapies`, 'coordinator', THERAPY);
    expect(refused.body.error.code).toBe('PATIENT_DISCHARGED');
    expect((await call('DELETE', '/api/pumps/PUMP-7/assignment', 'coordinator')).status).toBe(200);
    expect((await call('DELETE', '/api/pumps/PUMP-7/assignment', 'coordinator')).body.error.code).toBe(
      'ASSIGNMENT_NOT_FOUND',
    );
    expect((await call('GET', '/api/pumps/PUMP-7', 'nurse')).body.care).toBeNull();
    const audit = (await call('GET', '/api/audit?limit=200', 'admin')).body as Array<{ action: string }>;
    for (const action of [
      'team_created',
      'patient_created',
      'therapy_created',
      'pump_assigned',
      'pump_unassigned',
      'therapy_updated',
      'patient_discharged',
    ])
      expect(audit.map((entry) => entry.action)).toContain(action);
  });

  it('keeps patient data out of /api/health', async () => {
    const health = await call('GET', '/api/health');
    expect(JSON.stringify(health.body)).not.toMatch(/Zelda|Quillfeather|FICT-0001|7946/);
  });
});
