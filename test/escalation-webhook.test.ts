import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Alert, telemetryTopic } from '@pumpwatch/protocol';
import { type PumpwatchServer, parseServerConfig, startPumpwatchServer } from '@pumpwatch/server';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postJson } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

interface Received {
  path: string;
  body: { reason: string; tier: { index: number; name: string }; alert: Alert };
}

/** A real HTTP receiver on loopback that fails the first `failFirst` requests of each path with 503. */
async function startReceiver(
  failFirst: number,
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const attempts = new Map<string, number>();
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '/';
    const attempt = (attempts.get(path) ?? 0) + 1;
    attempts.set(path, attempt);
    if (attempt <= failFirst) {
      response.writeHead(503).end();
      return;
    }
    received.push({ path, body: JSON.parse(Buffer.concat(chunks).toString()) });
    response.writeHead(204).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

describe('escalation and webhook notification', () => {
  let server: PumpwatchServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: MqttClient;

  beforeAll(async () => {
    receiver = await startReceiver(2);
    const config = parseServerConfig({
      http: { port: 0 },
      mqtt: { embeddedPort: 0 },
      dataDir: join(mkdtempSync(join(tmpdir(), 'pw-escalation-')), 'data'),
      pumpOfflineAfterMs: 600_000,
      auth: { mode: 'disabled' },
      escalation: {
        highAfterMs: 1500,
        tiers: [
          { name: 'nurse', webhooks: [`${receiver.url}/tier-1`] },
          { name: 'supervisor', webhooks: [`${receiver.url}/tier-2`] },
        ],
        webhook: { attempts: 4, minBackoffMs: 50, maxBackoffMs: 200, timeoutMs: 2000 },
      },
    });
    server = await startPumpwatchServer(config, { logger: pino({ level: 'warn' }) });
    client = await mqtt.connectAsync(server.mqttUrl);
  });
  afterAll(async () => {
    await client?.endAsync();
    await server?.stop();
    receiver?.server.close();
  });

  it('notifies tier 1 through retries, escalates to tier 2 after the timeout, and records each delivery', async () => {
    const sample = {
      v: 1,
      seq: 1,
      ts: Date.now(),
      state: 'infusing',
      rate_mL_h: 5,
      vi_mL: 1,
      pressure_mmHg: 330,
      alarms: ['occlusion'],
    };
    await client.publishAsync(telemetryTopic('pumpwatch/v1', 'hub-esc', 'PUMP-ESC'), JSON.stringify(sample), {
      qos: 1,
    });

    const first = await waitFor(() => receiver.received.find((r) => r.path === '/tier-1'), {
      what: 'tier 1 webhook',
    });
    expect(first.body).toMatchObject({
      reason: 'raised',
      tier: { index: 0, name: 'nurse' },
      alert: { rule: 'occlusion_downstream', priority: 'high' },
    });

    const second = await waitFor(() => receiver.received.find((r) => r.path === '/tier-2'), {
      timeoutMs: 10_000,
      what: 'tier 2 webhook',
    });
    expect(second.body).toMatchObject({ reason: 'escalated', tier: { index: 1, name: 'supervisor' } });
    expect(second.body.alert.id).toBe(first.body.alert.id);

    const events = await waitFor(async () => {
      const { body } = await getJson<
        Array<{ type: string; actor: string; details?: { ok: boolean; attempts: number } }>
      >(`${server.httpUrl}/api/alerts/${first.body.alert.id}/events`);
      return body.filter((event) => event.type === 'notified').length >= 2 ? body : undefined;
    });
    const notified = events.filter((event) => event.type === 'notified');
    expect(notified[0]).toMatchObject({ actor: 'webhook:nurse', details: { ok: true, attempts: 3 } });
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['raised', 'escalated', 'notified']),
    );

    // Acknowledging stops escalation: no re-notification reaches the last tier afterwards.
    await postJson(`${server.httpUrl}/api/alerts/${first.body.alert.id}/ack`, { by: 'Nurse Kim' });
    const count = receiver.received.length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(receiver.received.length).toBe(count);
  });

  it('sets, reads and removes a prescribed order, and raises order_mismatch against it', async () => {
    const order = { drug: 'ceftriaxone 2 g', rate_mL_h: 50, vtbi_mL: 100, tolerance_pct: 10 };
    const put = await fetch(`${server.httpUrl}/api/pumps/PUMP-ORD/order`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(order),
    });
    expect(put.status).toBe(200);
    expect((await getJson(`${server.httpUrl}/api/pumps/PUMP-ORD/order`)).body).toMatchObject({
      ...order,
      pumpId: 'PUMP-ORD',
    });

    const sample = {
      v: 1,
      seq: 1,
      ts: Date.now(),
      state: 'infusing',
      rate_mL_h: 80,
      vi_mL: 1,
      vtbi_mL: 100,
      alarms: [],
    };
    await client.publishAsync(telemetryTopic('pumpwatch/v1', 'hub-esc', 'PUMP-ORD'), JSON.stringify(sample), {
      qos: 1,
    });
    const mismatch = await waitFor(async () =>
      (await getJson<Alert[]>(`${server.httpUrl}/api/alerts`)).body.find(
        (alert) => alert.pumpId === 'PUMP-ORD',
      ),
    );
    expect(mismatch).toMatchObject({ rule: 'order_mismatch', priority: 'high' });
    expect(
      (await getJson<{ order: unknown }>(`${server.httpUrl}/api/pumps/PUMP-ORD`)).body.order,
    ).toMatchObject(order);

    const bad = await fetch(`${server.httpUrl}/api/pumps/PUMP-ORD/order`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ drug: '', rate_mL_h: -1 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');

    expect((await fetch(`${server.httpUrl}/api/pumps/PUMP-ORD/order`, { method: 'DELETE' })).status).toBe(
      204,
    );
    const gone = await getJson<{ error: { code: string } }>(`${server.httpUrl}/api/pumps/PUMP-ORD/order`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ORDER_NOT_FOUND');
  });

  it('snoozes for a bounded time and rejects an unbounded request', async () => {
    const [alert] = (await getJson<Alert[]>(`${server.httpUrl}/api/alerts`)).body;
    const snoozed = await postJson<Alert>(`${server.httpUrl}/api/alerts/${alert?.id}/snooze`, {
      by: 'Nurse Kim',
      durationMs: 60_000,
    });
    expect(snoozed.status).toBe(200);
    expect((snoozed.body.snoozedUntil as number) - Date.now()).toBeLessThanOrEqual(60_000);
    const tooLong = await postJson<{ error: { code: string } }>(
      `${server.httpUrl}/api/alerts/${alert?.id}/snooze`,
      {
        by: 'Nurse Kim',
        durationMs: 24 * 3_600_000,
      },
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.code).toBe('VALIDATION_FAILED');
  });
});
