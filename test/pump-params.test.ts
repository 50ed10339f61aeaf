import { type Alert, pumpParamsResponseSchema, telemetryTopic } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubSample } from './support/samples.js';
import {
  AUTH_REQUIRED,
  createUser,
  getJson,
  login,
  registerHub,
  startTestServer,
  TEST_ADMIN,
  tempDataDir,
} from './support/server-harness.js';
import { waitFor } from './support/wait.js';

const prefix = 'pumpwatch/v1';
const PUMP = 'PUMP-P';

interface ParamsBody {
  pumpId: string;
  overrides: Record<string, unknown> | null;
  updatedBy: string | null;
  effective: { battery: { lowPct: number; criticalPct: number } };
}

async function send(url: string, method: 'PUT' | 'DELETE', token: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/**
 * Rule settings per pump through the API (`/api/pumps/{id}/params`), against a real server with
 * authentication required: admin-only changes, refused with paths when wrong, applied to the next
 * sample, audited, and kept across a restart.
 */
describe('rule settings of a pump through the API', () => {
  const dataDir = tempDataDir();
  let server: PumpwatchServer;
  let admin: string;
  let nurse: string;
  let hub: MqttClient;
  let seq = 0;
  const url = () => `${server.httpUrl}/api/pumps/${PUMP}/params`;
  const publish = async (battery_pct: number) => {
    seq += 1;
    const sample = hubSample(seq, { battery_pct });
    await hub.publishAsync(telemetryTopic(prefix, 'hub-p', PUMP), JSON.stringify(sample), { qos: 1 });
  };
  const batteryAlert = async () =>
    (await getJson<Alert[]>(`${server.httpUrl}/api/alerts`, admin)).body.find(
      (alert) => alert.pumpId === PUMP && alert.rule === 'battery_low',
    );

  beforeAll(async () => {
    server = await startTestServer({ dataDir, auth: AUTH_REQUIRED });
    admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await createUser(server.httpUrl, admin, { username: 'nora', password: 'nora-password-1', role: 'nurse' });
    nurse = await login(server.httpUrl, 'nora', 'nora-password-1');
    const credentials = await registerHub(server.httpUrl, admin, 'hub-p');
    hub = await mqtt.connectAsync(server.mqttUrl, {
      username: credentials.username,
      password: credentials.password,
      clientId: credentials.hubId,
      reconnectPeriod: 200,
    });
  });

  afterAll(async () => {
    await hub?.endAsync(true);
    await server?.stop();
  });

  it('shows every pump its parameters in force, and lets only an admin change them', async () => {
    const before = await getJson<ParamsBody>(url(), nurse);
    expect(before.status).toBe(200);
    pumpParamsResponseSchema.parse(before.body);
    expect(before.body).toMatchObject({
      pumpId: PUMP,
      overrides: null,
      effective: { battery: { lowPct: 20 } },
    });
    expect((await send(url(), 'PUT', nurse, { battery: { lowPct: 30 } })).status).toBe(403);
    expect((await send(url(), 'DELETE', nurse)).status).toBe(403);
    expect((await send(url(), 'DELETE', admin)).body.error.code).toBe('PARAMS_NOT_FOUND');
  });

  it('refuses unknown or mistyped parameters with their paths, and keeps what was in force', async () => {
    const refused = await send(url(), 'PUT', admin, { battery: { lowPct: 'thirty', lowPcnt: 30 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('PARAMS_INVALID');
    const paths = (refused.body.error.issues as Array<{ path: string }>).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['battery.lowPct', 'battery']));
    expect((await send(url(), 'PUT', admin, [1, 2])).body.error.code).toBe('VALIDATION_FAILED');
    expect((await getJson<ParamsBody>(url(), admin)).body.overrides).toBeNull();
  });

  it('judges the next sample by the new setting, and audits it', async () => {
    await publish(25);
    await publish(25);
    await waitFor(
      async () =>
        (await getJson<Array<{ pumpId: string }>>(`${server.httpUrl}/api/pumps`, admin)).body.some(
          (pump) => pump.pumpId === PUMP,
        ),
      { what: 'the pump to report' },
    );
    expect(await batteryAlert()).toBeUndefined();

    const set = await send(url(), 'PUT', admin, { battery: { lowPct: 30 } });
    expect(set.status).toBe(200);
    pumpParamsResponseSchema.parse(set.body);
    expect(set.body).toMatchObject({
      overrides: { battery: { lowPct: 30 } },
      updatedBy: TEST_ADMIN.username,
      effective: { battery: { lowPct: 30, criticalPct: 5 } },
    });
    await publish(25);
    await waitFor(async () => (await batteryAlert())?.status === 'active', { what: 'battery_low at 30 %' });

    const audit = await getJson<
      Array<{ action: string; actor: string; target: string; before: unknown; after: unknown }>
    >(`${server.httpUrl}/api/audit?limit=100`, admin);
    const entry = audit.body.find((e) => e.action === 'params_set' && e.target === PUMP);
    expect(entry).toMatchObject({
      actor: TEST_ADMIN.username,
      before: null,
      after: { overrides: { battery: { lowPct: 30 } } },
    });
  });

  it('keeps the setting across a restart; removing it restores the defaults and is audited', async () => {
    // Same ports, so the hub's client reconnects by itself.
    const ports = {
      httpPort: Number(new URL(server.httpUrl).port),
      mqttPort: Number(new URL(server.mqttUrl).port),
    };
    await server.stop();
    server = await startTestServer({ dataDir, auth: AUTH_REQUIRED, ...ports });
    admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    expect((await getJson<ParamsBody>(url(), admin)).body).toMatchObject({
      overrides: { battery: { lowPct: 30 } },
      updatedBy: TEST_ADMIN.username,
      effective: { battery: { lowPct: 30 } },
    });

    await publish(25);
    await waitFor(async () => (await batteryAlert())?.status === 'active', {
      what: 'battery_low still active',
    });

    expect((await send(url(), 'DELETE', admin)).status).toBe(204);
    await publish(25);
    await waitFor(async () => (await batteryAlert()) === undefined, { what: 'battery_low resolved at 20 %' });
    expect((await getJson<ParamsBody>(url(), admin)).body).toMatchObject({
      overrides: null,
      effective: { battery: { lowPct: 20 } },
    });
    const audit = await getJson<Array<{ action: string; before: unknown; after: unknown }>>(
      `${server.httpUrl}/api/audit?limit=100`,
      admin,
    );
    expect(audit.body.find((e) => e.action === 'params_deleted')).toMatchObject({
      before: { overrides: { battery: { lowPct: 30 } } },
      after: null,
    });
  });
});
