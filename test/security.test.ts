import { type Alert, telemetryTopic } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { getJson, login, postJson, startTestServer, TEST_ADMIN } from './support/server-harness.js';
import { sleep, waitFor } from './support/wait.js';

const prefix = 'pumpwatch/v1';

/** Every route of the API as [method, path]; the public ones are checked separately. */
const protectedRoutes: Array<[string, string]> = [
  ['GET', '/api/pumps'],
  ['GET', '/api/pumps/PUMP-S'],
  ['GET', '/api/pumps/PUMP-S/samples'],
  ['GET', '/api/pumps/PUMP-S/order'],
  ['PUT', '/api/pumps/PUMP-S/order'],
  ['DELETE', '/api/pumps/PUMP-S/order'],
  ['GET', '/api/pumps/PUMP-S/params'],
  ['PUT', '/api/pumps/PUMP-S/params'],
  ['DELETE', '/api/pumps/PUMP-S/params'],
  ['GET', '/api/alerts'],
  ['GET', '/api/alerts/x/events'],
  ['POST', '/api/alerts/x/ack'],
  ['POST', '/api/alerts/x/snooze'],
  ['GET', '/api/users'],
  ['POST', '/api/users'],
  ['GET', '/api/hubs'],
  ['POST', '/api/hubs'],
  ['GET', '/api/hubs/mosquitto-config'],
  ['GET', '/api/audit'],
  ['GET', '/api/me'],
  ['POST', '/api/logout'],
];

async function call(
  server: PumpwatchServer,
  method: string,
  path: string,
  token?: string,
  body: unknown = {},
) {
  const response = await fetch(`${server.httpUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(method === 'GET' || method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
    },
    ...(method === 'GET' || method === 'DELETE' ? {} : { body: JSON.stringify(body) }),
  });
  await response.body?.cancel();
  return { status: response.status };
}

function wsStatus(url: string): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      socket.terminate();
      resolve('open');
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => resolve(0));
  });
}

describe('security with authentication required (the default)', () => {
  let server: PumpwatchServer;
  let admin: string;
  let nurse: string;
  let viewer: string;

  beforeAll(async () => {
    server = await startTestServer({
      auth: {
        mode: 'required',
        adminUser: TEST_ADMIN.username,
        adminPassword: TEST_ADMIN.password,
        loginRateLimit: { max: 8 },
      },
    });
    admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    for (const [username, role] of [
      ['nina', 'nurse'],
      ['victor', 'viewer'],
    ]) {
      const created = await postJson(
        `${server.httpUrl}/api/users`,
        { username, password: `${username}-password-1`, role },
        admin,
      );
      expect(created.status).toBe(201);
    }
    nurse = await login(server.httpUrl, 'nina', 'nina-password-1');
    viewer = await login(server.httpUrl, 'victor', 'victor-password-1');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each(protectedRoutes)('refuses %s %s without credentials (401)', async (method, path) => {
    const { status } = await call(server, method, path);
    expect(status).toBe(401);
  });

  it('refuses a forged or malformed token', async () => {
    expect((await call(server, 'GET', '/api/pumps', `${admin.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await call(server, 'GET', '/api/pumps', 'not-a-token')).status).toBe(401);
  });

  it('keeps the health check public and free of patient data', async () => {
    const health = await getJson<Record<string, unknown>>(`${server.httpUrl}/api/health`);
    expect(health.status).toBe(200);
    expect(JSON.stringify(health.body)).not.toMatch(/PUMP-|pumpId/);
    expect(health.body.auth).toMatchObject({ mode: 'required' });
  });

  it('refuses /ws without a token and accepts one with it', async () => {
    const wsUrl = `${server.httpUrl.replace('http', 'ws')}/ws`;
    expect(await wsStatus(wsUrl)).toBe(401);
    expect(await wsStatus(`${wsUrl}?token=garbage`)).toBe(401);
    expect(await wsStatus(`${wsUrl}?token=${viewer}`)).toBe('open');
  });

  it('lets hubs publish only with their own credentials and only under their own topics', async () => {
    const hub = await postJson<{ hubId: string; username: string; password: string }>(
      `${server.httpUrl}/api/hubs`,
      { hubId: 'hub-sec' },
      admin,
    );
    expect(hub.status).toBe(201);
    expect(hub.body.username).toBe('hub-sec');
    const other = await postJson<{ password: string }>(
      `${server.httpUrl}/api/hubs`,
      { hubId: 'hub-other' },
      admin,
    );
    expect(other.status).toBe(201);
    expect((await postJson(`${server.httpUrl}/api/hubs`, { hubId: 'hub-sec' }, admin)).status).toBe(409);

    await expect(mqtt.connectAsync(server.mqttUrl, { reconnectPeriod: 0 })).rejects.toThrow(
      /Not authorized|Bad username/i,
    );
    await expect(
      mqtt.connectAsync(server.mqttUrl, { username: 'hub-sec', password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow(/Not authorized|Bad username/i);

    const connectHub = () =>
      mqtt.connectAsync(server.mqttUrl, {
        username: 'hub-sec',
        password: hub.body.password,
        clientId: 'hub-sec:test',
        reconnectPeriod: 0,
      });
    const sample = (seq: number, alarms: string[] = []) =>
      JSON.stringify({
        v: 1,
        seq,
        ts: Date.now(),
        state: 'infusing',
        rate_mL_h: 5,
        vi_mL: seq,
        pressure_mmHg: alarms.length ? 320 : 40,
        alarms,
      });
    const client = await connectHub();
    await client.publishAsync(telemetryTopic(prefix, 'hub-sec', 'PUMP-S'), sample(1, ['occlusion']), {
      qos: 1,
    });
    // SUBACK 0x80 for another hub's subtree; mqtt.js reports it as a subscribe error.
    await expect(client.subscribeAsync(`${prefix}/hubs/hub-other/#`)).rejects.toThrow(/Subscribe error/);
    await client.endAsync();
    // Into another hub's subtree: refused by the broker (aedes drops the connection), never reaches the server.
    const spoofer = await connectHub();
    const closed = new Promise<void>((resolve) => spoofer.once('close', () => resolve()));
    spoofer.publish(telemetryTopic(prefix, 'hub-other', 'PUMP-SPOOF'), sample(1), { qos: 1 });
    await Promise.race([closed, sleep(3000)]);
    spoofer.end(true);

    const pumps = await waitFor(async () => {
      const { body } = await getJson<Array<{ pumpId: string }>>(`${server.httpUrl}/api/pumps`, viewer);
      return body.some((pump) => pump.pumpId === 'PUMP-S') ? body : undefined;
    });
    await sleep(300);
    expect(pumps.map((pump) => pump.pumpId)).not.toContain('PUMP-SPOOF');
    const health = await getJson<{
      mqttAuth: { rejectedConnects: number; refusedPublishes: number; refusedSubscribes: number };
    }>(`${server.httpUrl}/api/health`);
    expect(health.body.mqttAuth.rejectedConnects).toBeGreaterThanOrEqual(2);
    expect(health.body.mqttAuth.refusedPublishes).toBeGreaterThanOrEqual(1);
    expect(health.body.mqttAuth.refusedSubscribes).toBeGreaterThanOrEqual(1);
  });

  it('lets a nurse acknowledge (as herself) but not a viewer', async () => {
    const alert = await waitFor(async () =>
      (await getJson<Alert[]>(`${server.httpUrl}/api/alerts`, viewer)).body.find(
        (a) => a.pumpId === 'PUMP-S',
      ),
    );
    const byViewer = await postJson<{ error: { code: string } }>(
      `${server.httpUrl}/api/alerts/${alert.id}/ack`,
      {},
      viewer,
    );
    expect(byViewer.status).toBe(403);
    expect(byViewer.body.error.code).toBe('FORBIDDEN');
    const byNurse = await postJson<Alert>(
      `${server.httpUrl}/api/alerts/${alert.id}/ack`,
      { by: 'Someone Else' },
      nurse,
    );
    expect(byNurse.status).toBe(200);
    expect(byNurse.body.acknowledgedBy).toBe('nina');
    expect((await postJson(`${server.httpUrl}/api/alerts/${alert.id}/snooze`, {}, viewer)).status).toBe(403);
    expect((await postJson(`${server.httpUrl}/api/alerts/${alert.id}/snooze`, {}, nurse)).status).toBe(200);
  });

  it('keeps orders, rule settings, users, hubs and the audit log to admins', async () => {
    const order = { drug: 'vancomycin 1 g', rate_mL_h: 100, vtbi_mL: 250 };
    for (const token of [viewer, nurse]) {
      expect((await call(server, 'PUT', '/api/pumps/PUMP-S/order', token, order)).status).toBe(403);
      expect((await call(server, 'PUT', '/api/pumps/PUMP-S/params', token, {})).status).toBe(403);
      expect((await call(server, 'GET', '/api/audit', token)).status).toBe(403);
      expect(
        (
          await call(server, 'POST', '/api/users', token, {
            username: 'x',
            password: 'long-enough-passphrase',
            role: 'admin',
          })
        ).status,
      ).toBe(403);
      expect((await call(server, 'POST', '/api/hubs', token, { hubId: 'hub-x' })).status).toBe(403);
    }
    const put = await fetch(`${server.httpUrl}/api/pumps/PUMP-S/order`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify(order),
    });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { updatedBy: string }).updatedBy).toBe(TEST_ADMIN.username);
  });

  it('audits logins, failures, acknowledgements, snoozes, orders, users and hubs with actor and before/after', async () => {
    expect(
      (await postJson(`${server.httpUrl}/api/login`, { username: 'nina', password: 'wrong' })).status,
    ).toBe(401);
    const { body } = await getJson<
      Array<{ actor: string; action: string; target: string | null; after: unknown }>
    >(`${server.httpUrl}/api/audit?limit=500`, admin);
    const seen = new Set(body.map((entry) => `${entry.action}:${entry.actor}`));
    for (const expected of [
      `login:${TEST_ADMIN.username}`,
      'login:nina',
      'login_failed:nina',
      `user_created:${TEST_ADMIN.username}`,
      `hub_registered:${TEST_ADMIN.username}`,
      'alert_acknowledged:nina',
      'alert_snoozed:nina',
      `order_set:${TEST_ADMIN.username}`,
    ]) {
      expect(seen, expected).toContain(expected);
    }
    const orderEntry = body.find((entry) => entry.action === 'order_set');
    expect(orderEntry?.after).toMatchObject({ drug: 'vancomycin 1 g' });
  });

  it('sends secure headers and no CORS permission to other origins', async () => {
    const response = await fetch(`${server.httpUrl}/api/pumps`, {
      headers: { authorization: `Bearer ${viewer}`, origin: 'https://evil.example' },
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('ends a session at logout, closing its open WebSocket too', async () => {
    const token = await login(server.httpUrl, 'victor', 'victor-password-1');
    const open = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws?token=${token}`);
    await new Promise((resolve) => open.once('open', resolve));
    const closed = new Promise<number>((resolve) => open.once('close', (code) => resolve(code)));
    expect((await call(server, 'GET', '/api/me', token)).status).toBe(200);
    expect((await call(server, 'POST', '/api/logout', token)).status).toBe(200);
    expect((await call(server, 'GET', '/api/me', token)).status).toBe(401);
    expect(await wsStatus(`${server.httpUrl.replace('http', 'ws')}/ws?token=${token}`)).toBe(401);
    // The socket opened before logout is closed at the next heartbeat (every 5 s).
    expect(await Promise.race([closed, sleep(8000).then(() => -1)])).toBe(4001);
  });

  it('rate-limits login attempts', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt += 1) {
      statuses.push(
        (await postJson(`${server.httpUrl}/api/login`, { username: 'nina', password: 'guess' })).status,
      );
    }
    expect(statuses).toContain(429);
    const limited = await postJson<{ error: { code: string } }>(`${server.httpUrl}/api/login`, {
      username: 'nina',
      password: 'guess',
    });
    expect(limited.body.error.code).toBe('RATE_LIMITED');
  });
});
