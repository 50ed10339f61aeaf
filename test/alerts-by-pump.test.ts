import { type Alert, telemetryTopic } from '@pumpwatch/protocol';
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
} from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/**
 * `GET /api/alerts?pumpId=&from=&to=` (issue 12): the pump detail view asks for one pump's alerts in its
 * range instead of every alert the server has kept. Against the real server with authentication required,
 * so the route's `viewer` access is exercised too.
 */

const prefix = 'pumpwatch/v1';
const HUB = 'hub-alerts';

describe('alerts of one pump', () => {
  let server: PumpwatchServer;
  let client: MqttClient;
  let viewer: string;
  const seqs = new Map<string, number>();

  const publish = async (pumpId: string, overrides: Record<string, unknown>) => {
    const seq = (seqs.get(pumpId) ?? 0) + 1;
    seqs.set(pumpId, seq);
    await client.publishAsync(
      telemetryTopic(prefix, HUB, pumpId),
      JSON.stringify(hubSample(seq, overrides)),
      {
        qos: 1,
      },
    );
  };
  const alerts = async (query: string) => {
    const reply = await getJson<Alert[]>(`${server.httpUrl}/api/alerts?${query}`, viewer);
    expect(reply.status).toBe(200);
    return reply.body;
  };
  const ids = (list: Alert[]) => list.map((a) => `${a.pumpId}:${a.rule}:${a.status}`).sort();

  beforeAll(async () => {
    server = await startTestServer({ auth: AUTH_REQUIRED });
    const admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await createUser(server.httpUrl, admin, {
      username: 'vera',
      password: 'vera-password-1',
      role: 'viewer',
    });
    viewer = await login(server.httpUrl, 'vera', 'vera-password-1');
    const hub = await registerHub(server.httpUrl, admin, HUB);
    client = await mqtt.connectAsync(server.mqttUrl, {
      clientId: `${HUB}:test`,
      username: hub.username,
      password: hub.password,
    });

    // PUMP-A: a battery alert that ends, then an occlusion; PUMP-B: an occlusion of its own.
    await publish('PUMP-A', { battery_pct: 15 });
    await waitFor(async () => (await alerts('')).some((a) => a.rule === 'battery_low'), {
      what: 'the battery alert',
    });
    await publish('PUMP-A', { battery_pct: 90 });
    await waitFor(async () => (await alerts('status=resolved')).some((a) => a.rule === 'battery_low'), {
      what: 'the battery alert resolved',
    });
    await publish('PUMP-A', { pressure_mmHg: 330 });
    await publish('PUMP-B', { pressure_mmHg: 330 });
    await waitFor(
      async () => (await alerts('status=all')).filter((a) => a.rule === 'occlusion_downstream').length === 2,
      { what: 'both occlusions stored' },
    );
  });
  afterAll(async () => {
    await client?.endAsync();
    await server?.stop();
  });

  it('lists only that pump’s alerts, open and resolved, from the store', async () => {
    expect(ids(await alerts('status=all&pumpId=PUMP-A'))).toEqual([
      'PUMP-A:battery_low:resolved',
      'PUMP-A:occlusion_downstream:active',
    ]);
    expect(ids(await alerts('status=resolved&pumpId=PUMP-A'))).toEqual(['PUMP-A:battery_low:resolved']);
    expect(ids(await alerts('status=all&pumpId=PUMP-B'))).toEqual(['PUMP-B:occlusion_downstream:active']);
    expect(await alerts('status=all&pumpId=PUMP-NONE')).toEqual([]);
  });

  it('lists that pump’s open alerts from memory, without status or with an open one', async () => {
    expect(ids(await alerts('pumpId=PUMP-A'))).toEqual(['PUMP-A:occlusion_downstream:active']);
    expect(ids(await alerts('status=active&pumpId=PUMP-B'))).toEqual(['PUMP-B:occlusion_downstream:active']);
    expect(await alerts('status=acknowledged&pumpId=PUMP-A')).toEqual([]);
  });

  it('bounds raisedAt by from and to, inclusive', async () => {
    const all = await alerts('status=all&pumpId=PUMP-A');
    const battery = all.find((a) => a.rule === 'battery_low') as Alert;
    const occlusion = all.find((a) => a.rule === 'occlusion_downstream') as Alert;
    expect(ids(await alerts(`status=all&pumpId=PUMP-A&from=${battery.raisedAt + 1}`))).toEqual([
      'PUMP-A:occlusion_downstream:active',
    ]);
    expect(ids(await alerts(`status=all&pumpId=PUMP-A&to=${battery.raisedAt}`))).toEqual([
      'PUMP-A:battery_low:resolved',
    ]);
    const exact = `from=${occlusion.raisedAt}&to=${occlusion.raisedAt}`;
    expect(ids(await alerts(`pumpId=PUMP-A&${exact}`))).toEqual(['PUMP-A:occlusion_downstream:active']);
    // Without pumpId the bounds apply to every pump.
    expect(ids(await alerts(`status=all&from=${battery.raisedAt + 1}`))).toEqual([
      'PUMP-A:occlusion_downstream:active',
      'PUMP-B:occlusion_downstream:active',
    ]);
  });

  it('refuses a pump id the id schema refuses, and from after to, with VALIDATION_FAILED', async () => {
    for (const query of [
      'pumpId=constructor',
      'pumpId=a%2Fb',
      `pumpId=${'x'.repeat(65)}`,
      'from=5&to=1',
      'from=-1',
    ]) {
      const reply = await getJson<{ error: { code: string } }>(
        `${server.httpUrl}/api/alerts?${query}`,
        viewer,
      );
      expect([query, reply.status, reply.body.error.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
    }
  });

  it('still asks for a login', async () => {
    const reply = await getJson<{ error: { code: string } }>(`${server.httpUrl}/api/alerts?pumpId=PUMP-A`);
    expect([reply.status, reply.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
  });
});
