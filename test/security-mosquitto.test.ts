import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { telemetryTopic } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMosquitto, startMosquitto } from './support/mosquitto.js';
import { getJson, login, postJson, startTestServer, TEST_ADMIN } from './support/server-harness.js';
import { sleep, waitFor } from './support/wait.js';

const prefix = 'pumpwatch/v1';
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER_USER = { username: 'pumpwatch-server', password: 'server-secret-password' };

/**
 * External Mosquitto with the password and ACL files pumpwatch generates (GET /api/hubs/mosquitto-config,
 * npm run mosquitto:auth): each hub may publish only under its own subtree.
 */
describe('hub confinement on a real Mosquitto with the generated ACL', () => {
  let bootstrap: PumpwatchServer;
  let mosquitto: RunningMosquitto;
  let server: PumpwatchServer;
  let hubA: { password: string };
  let hubB: { password: string };

  beforeAll(async () => {
    // 1. Register hubs on a server and export the broker files (hashes only; no password in clear).
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-mosq-auth-')), 'data');
    const auth = {
      mode: 'required' as const,
      adminUser: TEST_ADMIN.username,
      adminPassword: TEST_ADMIN.password,
    };
    bootstrap = await startTestServer({ dataDir, auth, mqttUrl: 'mqtt://127.0.0.1:1' });
    const admin = await login(bootstrap.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    hubA = (await postJson<{ password: string }>(`${bootstrap.httpUrl}/api/hubs`, { hubId: 'hub-a' }, admin))
      .body;
    hubB = (await postJson<{ password: string }>(`${bootstrap.httpUrl}/api/hubs`, { hubId: 'hub-b' }, admin))
      .body;
    await bootstrap.stop();

    // 2. The server, restarted with its broker user, exports the files; Mosquitto starts with them.
    const files = mkdtempSync(join(tmpdir(), 'pw-mosq-files-'));
    server = await startTestServer({
      dataDir,
      auth,
      mqttUrl: 'mqtt://127.0.0.1:1',
      mqttUser: SERVER_USER,
    });
    // The documented command: npm run mosquitto:auth (logs in with the admin from the environment).
    // Asynchronously: the server runs in this process and must keep answering.
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/mosquitto-auth.ts', '--url', server.httpUrl, '--out', files],
      {
        cwd: root,
        env: {
          ...process.env,
          PUMPWATCH_ADMIN_USER: TEST_ADMIN.username,
          PUMPWATCH_ADMIN_PASSWORD: TEST_ADMIN.password,
        },
      },
    );
    const passwordFile = readFileSync(join(files, 'passwd'), 'utf8');
    expect(passwordFile).toMatch(/^hub-a:\$7\$/m);
    expect(passwordFile).not.toContain(hubA.password);
    expect(readFileSync(join(files, 'acl'), 'utf8')).toContain('pattern write pumpwatch/v1/hubs/%u/#');
    // Mosquitto started as root drops to its own user, which must be able to read these (test only;
    // in production keep the password file 0640 owned by the mosquitto group).
    chmodSync(files, 0o755);
    chmodSync(join(files, 'passwd'), 0o644);
    await server.stop();
    mosquitto = await startMosquitto(
      [
        'allow_anonymous false',
        `password_file ${join(files, 'passwd')}`,
        `acl_file ${join(files, 'acl')}`,
      ].join('\n'),
    );
    server = await startTestServer({ dataDir, auth, mqttUrl: mosquitto.url, mqttUser: SERVER_USER });
    await waitFor(
      async () => (await getJson<{ status: string }>(`${server.httpUrl}/api/health`)).body.status === 'ok',
      {
        what: 'the server connected to Mosquitto with its own user',
      },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await mosquitto?.stop();
  });

  it('delivers a hub’s own telemetry and drops what it publishes into another hub’s subtree', async () => {
    await expect(mqtt.connectAsync(mosquitto.url, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);
    const client = await mqtt.connectAsync(mosquitto.url, {
      username: 'hub-a',
      password: hubA.password,
      reconnectPeriod: 0,
    });
    const sample = (seq: number) =>
      JSON.stringify({ v: 1, seq, ts: Date.now(), state: 'infusing', rate_mL_h: 10, vi_mL: seq, alarms: [] });
    await client.publishAsync(telemetryTopic(prefix, 'hub-b', 'PUMP-SPOOFED'), sample(1), { qos: 1 });
    await client.publishAsync(telemetryTopic(prefix, 'hub-a', 'PUMP-A'), sample(1), { qos: 1 });
    await client.endAsync();

    const token = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await waitFor(
      async () =>
        (await getJson<Array<{ pumpId: string }>>(`${server.httpUrl}/api/pumps`, token)).body.some(
          (p) => p.pumpId === 'PUMP-A',
        ),
      {
        what: 'hub-a telemetry through Mosquitto',
      },
    );
    await sleep(300);
    const pumps = (await getJson<Array<{ pumpId: string }>>(`${server.httpUrl}/api/pumps`, token)).body.map(
      (p) => p.pumpId,
    );
    expect(pumps).toContain('PUMP-A');
    expect(pumps).not.toContain('PUMP-SPOOFED');
  });

  it('refuses a sample under a hub’s own topic for a pump another hub owns (pump_not_owned)', async () => {
    const sample = (seq: number, alarms: string[]) =>
      JSON.stringify({ v: 1, seq, ts: Date.now(), state: 'infusing', rate_mL_h: 10, vi_mL: seq, alarms });
    const b = await mqtt.connectAsync(mosquitto.url, { username: 'hub-b', password: hubB.password });
    await b.publishAsync(telemetryTopic(prefix, 'hub-b', 'PUMP-B'), sample(1, ['occlusion']), { qos: 1 });
    await b.endAsync();
    const token = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await waitFor(async () => (await getJson(`${server.httpUrl}/api/pumps/PUMP-B`, token)).status === 200);
    // Mosquitto's ACL lets hub-a publish here: the topic is its own, the pump id is not.
    const a = await mqtt.connectAsync(mosquitto.url, { username: 'hub-a', password: hubA.password });
    await a.publishAsync(telemetryTopic(prefix, 'hub-a', 'PUMP-B'), sample(2, []), { qos: 1 });
    await a.endAsync();
    const health = await waitFor(async () => {
      const { body } = await getJson<{ ingest: { rejected: { pump_not_owned: number } } }>(
        `${server.httpUrl}/api/health`,
      );
      return body.ingest.rejected.pump_not_owned === 1 ? body : undefined;
    });
    expect(health.ingest.rejected.pump_not_owned).toBe(1);
    const pump = (
      await getJson<{ hubId: string; latest: { seq: number } }>(`${server.httpUrl}/api/pumps/PUMP-B`, token)
    ).body;
    expect(pump).toMatchObject({ hubId: 'hub-b', latest: { seq: 1 } });
  });
});
