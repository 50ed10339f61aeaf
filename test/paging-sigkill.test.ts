import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { telemetryTopic } from '@pumpwatch/protocol';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { createUser, login, postJson, registerHub } from './support/server-harness.js';
import { ServerProcess } from './support/server-process.js';
import { waitFor } from './support/wait.js';

const ADMIN = { username: 'kill-admin', password: 'correct horse battery staple' };
const NURSES = [
  { username: 'ana', password: 'lighthouse saxophone marmalade', role: 'nurse' as const },
  { username: 'cy', password: 'quartz umbrella tangerine', role: 'nurse' as const },
];

interface Page {
  alertId: string;
  pageId: string | undefined;
  recipient: string;
  reason: string;
  at: number;
}

/** The SMS gateway as a real HTTP receiver on loopback: records every page it is sent. */
async function startGateway(): Promise<{ url: string; pages: Page[]; server: Server }> {
  const pages: Page[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString());
    pages.push({
      alertId: body.alert.id,
      pageId: request.headers['idempotency-key'] as string | undefined,
      recipient: body.recipient.username,
      reason: body.reason,
      at: Date.now(),
    });
    response.writeHead(202).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, pages, server };
}

async function send(url: string, token: string, method: 'PUT' | 'POST', payload: unknown) {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(payload),
  });
  const body = await response.json();
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/**
 * Pending escalations survive a SIGKILL of the server (docs/paging.md#escalation): the real server as a
 * process, a real SMS gateway receiver, paging along a real rota. Killed between the primary's page
 * and the secondary's, restarted on the same data directory and ports: the secondary is paged on
 * time, and the primary's page is not sent a second time.
 */
describe('SIGKILL during an escalation', () => {
  let server: ServerProcess | undefined;
  let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
  afterAll(async () => {
    await server?.stop();
    gateway?.server.close();
  });

  it('pages the next step after a restart and sends no finished page twice', async () => {
    gateway = await startGateway();
    const dir = mkdtempSync(join(tmpdir(), 'pw-paging-kill-'));
    const configFile = join(dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        paging: {
          smsWebhook: {
            url: gateway.url,
            secret: 's'.repeat(40),
            retry: { attempts: 2, minBackoffMs: 50, maxBackoffMs: 100, timeoutMs: 2000 },
          },
        },
      }),
    );
    server = await ServerProcess.start({
      dataDir: join(dir, 'data'),
      configFile,
      env: {
        PUMPWATCH_AUTH_MODE: 'required',
        PUMPWATCH_ADMIN_USER: ADMIN.username,
        PUMPWATCH_ADMIN_PASSWORD: ADMIN.password,
      },
    });
    const api = server.httpUrl;
    const admin = await login(api, ADMIN.username, ADMIN.password);
    for (const nurse of NURSES) {
      await createUser(api, admin, nurse);
      const token = await login(api, nurse.username, nurse.password);
      await send(`${api}/api/me/contact`, token, 'PUT', { email: null, smsNumber: '+447700900123' });
    }
    const team = await send(`${api}/api/teams`, admin, 'POST', {
      name: 'Night team',
      timeZone: 'Europe/London',
      members: ['ana', 'cy'],
    });
    const [primary, secondary] = await send(`${api}/api/teams/${team.id}/rotations`, admin, 'PUT', [
      { name: 'Primary', shift: 'daily', handoffTime: '07:00', startDate: '2026-01-01', members: ['ana'] },
      { name: 'Secondary', shift: 'daily', handoffTime: '07:00', startDate: '2026-01-01', members: ['cy'] },
    ]);
    const delayMs = { high: 6000, medium: 600_000, low: null };
    await send(`${api}/api/teams/${team.id}/escalation-policy`, admin, 'PUT', {
      repeat: 0,
      steps: [
        { targets: [{ kind: 'rotation', rotationId: primary.id }], delayMs },
        { targets: [{ kind: 'rotation', rotationId: secondary.id }], delayMs },
      ],
    });
    const patient = await send(`${api}/api/patients`, admin, 'POST', {
      displayName: 'Quentin Marchbanks',
      birthDate: '1949-05-05',
      teamId: team.id,
    });
    const therapy = await send(`${api}/api/patients/${patient.id}/therapies`, admin, 'POST', {
      drug: 'milrinone',
      dose: '0.375 mcg/kg/min',
      order: { rate_mL_h: 5, vtbi_mL: 230, tolerance_pct: 10 },
      schedule: { kind: 'continuous' },
      startDate: '2026-01-01',
    });
    await send(`${api}/api/pumps/PUMP-KILL/assignment`, admin, 'PUT', { therapyId: therapy.id });
    const hub = await registerHub(api, admin, 'hub-kill');

    // A hub's client id is its hub id (docs/security.md).
    const client = await mqtt.connectAsync(server.mqttUrl, {
      username: hub.username,
      password: hub.password,
      clientId: 'hub-kill',
    });
    await client.publishAsync(
      telemetryTopic('pumpwatch/v1', 'hub-kill', 'PUMP-KILL'),
      JSON.stringify({
        v: 1,
        seq: 1,
        ts: Date.now(),
        state: 'infusing',
        rate_mL_h: 5,
        vi_mL: 10,
        pressure_mmHg: 330,
        alarms: ['occlusion'],
      }),
      { qos: 1 },
    );
    await client.endAsync();
    const pages = gateway.pages;
    const first = await waitFor(() => pages.find((page) => page.recipient === 'ana'), {
      timeoutMs: 10_000,
      what: 'the primary’s page',
    });
    expect(first.reason).toBe('raised');
    // Killed once the first page is stored as finished (attempt 1): a kill in the middle of sending it
    // would send it again after the restart, by design (at least once: docs/paging.md#escalation).
    await waitFor(
      async () => {
        const path = await fetch(`${api}/api/alerts/${first.alertId}/paging`, {
          headers: { authorization: `Bearer ${admin}` },
        });
        return path.status === 200 && ((await path.json()) as { attempt: number }).attempt >= 1
          ? true
          : undefined;
      },
      { what: 'the first page stored as finished' },
    );

    await server.kill();
    await server.start();
    const second = await waitFor(() => pages.find((page) => page.recipient === 'cy'), {
      timeoutMs: 20_000,
      what: 'the secondary’s page after the restart',
    });
    expect(second).toMatchObject({ alertId: first.alertId, reason: 'escalated' });
    // On time: the policy's 6 s after the first page, give or take the restart and the 1 s tick.
    expect(second.at - first.at).toBeGreaterThanOrEqual(5000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(pages.filter((page) => page.recipient === 'ana' && page.reason !== 'acknowledged')).toHaveLength(
      1,
    );
    expect(pages.filter((page) => page.recipient === 'cy')).toHaveLength(1);
    // Each page to each person has its own key, the same if a crash made it go out again.
    expect(second.pageId).toBe(`${first.alertId}/1/cy`);
    expect(first.pageId).toBe(`${first.alertId}/0/ana`);

    // Acknowledged as Cy: both nurses are told, and nothing else is sent.
    const cy = await login(api, 'cy', NURSES[1]?.password as string);
    expect((await postJson(`${api}/api/alerts/${first.alertId}/ack`, {}, cy)).status).toBe(200);
    await waitFor(() => pages.filter((page) => page.reason === 'acknowledged').length === 2 || undefined, {
      what: 'the acknowledged pages',
    });
  });
});
