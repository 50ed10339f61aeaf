import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { type BuiltServer, buildServer } from '../src/server.js';
import { sample } from './fixtures.js';

/**
 * The HTTP routes through fastify's `inject` against `buildServer` on the memory store: the whole app,
 * its access rules and the ward, with no socket, broker or disk (the integration tier covers those).
 */
const ADMIN = { username: 'route-admin', password: 'correct horse battery staple' };
const NURSE = { username: 'route-nurse', password: 'tangerine lighthouse quarrel' };
const VIEWER = { username: 'route-viewer', password: 'marmalade orbit saxophone' };
let now = 1_800_000_000_000;

let server: BuiltServer;
let dataDir: string;
const tokens: Record<string, string> = {};

async function call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, as?: string, payload?: unknown) {
  const response = await server.app.inject({
    method,
    url,
    ...(as ? { headers: { authorization: `Bearer ${tokens[as]}` } } : {}),
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: response.statusCode, body: response.body ? response.json() : undefined };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pumpwatch-routes-'));
  const config = parseServerConfig({
    dataDir,
    store: { kind: 'memory' },
    auth: { mode: 'required', adminUser: ADMIN.username, adminPassword: ADMIN.password },
  });
  server = await buildServer(config, { logger: pino({ level: 'silent' }), now: () => now });
  tokens.admin = (await call('POST', '/api/login', undefined, ADMIN)).body.token;
  for (const [name, user, role] of [
    ['nurse', NURSE, 'nurse'],
    ['viewer', VIEWER, 'viewer'],
  ] as const) {
    expect((await call('POST', '/api/users', 'admin', { ...user, role })).status).toBe(201);
    tokens[name] = (await call('POST', '/api/login', undefined, user)).body.token;
  }
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('routes through inject on the memory store', () => {
  it('refuses a caller without a token, and one below the route’s role', async () => {
    expect((await call('GET', '/api/pumps')).status).toBe(401);
    expect((await call('PUT', '/api/pumps/PUMP-1/order', 'viewer', {})).status).toBe(403);
    expect((await call('POST', '/api/alerts/x/ack', 'viewer', {})).status).toBe(403);
    expect((await call('GET', '/api/health')).status).toBe(503);
  });

  it('shows what the ward holds: a pump, its open alert, one pump’s alerts', async () => {
    expect((await call('GET', '/api/pumps', 'viewer')).body).toEqual([]);
    server.ward.onSample(
      'hub-1',
      'PUMP-1',
      sample({ seq: 1, ts: now, alarms: ['air_in_line'], state: 'stopped' }),
    );
    const pump = await call('GET', '/api/pumps/PUMP-1', 'viewer');
    expect(pump.status).toBe(200);
    expect(pump.body).toMatchObject({ pumpId: 'PUMP-1', hubId: 'hub-1', latest: { seq: 1 } });
    expect(pump.body.alerts.map((alert: { rule: string }) => alert.rule)).toEqual(['air_in_line']);
    const mine = await call('GET', '/api/alerts?pumpId=PUMP-1', 'viewer');
    expect(mine.body.map((alert: { rule: string }) => alert.rule)).toEqual(['air_in_line']);
    expect((await call('GET', '/api/alerts?pumpId=PUMP-2', 'viewer')).body).toEqual([]);
    expect((await call('GET', '/api/pumps/PUMP-9', 'viewer')).body.error.code).toBe('PUMP_NOT_FOUND');
  });

  it('acknowledges as the logged-in nurse, stored with its event, audited', async () => {
    const [alert] = (await call('GET', '/api/alerts', 'nurse')).body;
    const acked = await call('POST', `/api/alerts/${alert.id}/ack`, 'nurse', { by: 'someone else' });
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: NURSE.username });
    const events = (await call('GET', `/api/alerts/${alert.id}/events`, 'viewer')).body;
    expect(events.map((event: { type: string }) => event.type)).toEqual(['raised', 'acknowledged']);
    expect((await call('POST', '/api/alerts/no-such-alert/ack', 'nurse', {})).body.error.code).toBe(
      'ALERT_NOT_FOUND',
    );
  });

  it('sets an order through the ward: the next sample is judged by it, the pump shows it', async () => {
    const order = { drug: 'vancomycin', rate_mL_h: 100, vtbi_mL: 250, tolerance_pct: 10 };
    const put = await call('PUT', '/api/pumps/PUMP-1/order', 'admin', order);
    expect(put.status).toBe(200);
    expect((await call('GET', '/api/pumps/PUMP-1', 'viewer')).body.order).toMatchObject(order);
    now += 1000;
    server.ward.onSample('hub-1', 'PUMP-1', sample({ seq: 2, ts: now, rate_mL_h: 20 }));
    const rules = (await call('GET', '/api/alerts?pumpId=PUMP-1', 'viewer')).body.map(
      (alert: { rule: string }) => alert.rule,
    );
    expect(rules).toContain('order_mismatch');
    expect((await call('DELETE', '/api/pumps/PUMP-1/order', 'admin')).status).toBe(204);
    expect((await call('DELETE', '/api/pumps/PUMP-1/order', 'admin')).body.error.code).toBe(
      'ORDER_NOT_FOUND',
    );
    expect((await call('GET', '/api/pumps/PUMP-1', 'viewer')).body.order).toBeNull();
  });

  it('takes rule settings that resolve and refuses others by their path', async () => {
    const bad = await call('PUT', '/api/pumps/PUMP-1/params', 'admin', { occlusion: { nonsense: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('PARAMS_INVALID');
    const good = await call('PUT', '/api/pumps/PUMP-1/params', 'admin', { battery: { lowPct: 35 } });
    expect(good.body).toMatchObject({ overrides: { battery: { lowPct: 35 } }, updatedBy: ADMIN.username });
    expect(good.body.effective.battery.lowPct).toBe(35);
    expect((await call('DELETE', '/api/pumps/PUMP-1/params', 'admin')).status).toBe(204);
    expect((await call('GET', '/api/pumps/PUMP-1/params', 'viewer')).body.overrides).toBeNull();
  });

  it('moves a pump to another registered hub and refuses an unknown one', async () => {
    expect((await call('PUT', '/api/pumps/PUMP-1/hub', 'admin', { hubId: 'hub-2' })).body.error.code).toBe(
      'HUB_NOT_FOUND',
    );
    expect((await call('POST', '/api/hubs', 'admin', { hubId: 'hub-2' })).status).toBe(201);
    const moved = await call('PUT', '/api/pumps/PUMP-1/hub', 'admin', { hubId: 'hub-2' });
    expect(moved.body.hubId).toBe('hub-2');
    expect(server.ward.onSample('hub-1', 'PUMP-1', sample({ seq: 3, ts: now }))).toBe('pump_not_owned');
    const audit = (await call('GET', '/api/audit?limit=100', 'admin')).body as Array<{ action: string }>;
    expect(audit.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['order_set', 'order_deleted', 'params_set', 'params_deleted', 'pump_moved']),
    );
  });
});
