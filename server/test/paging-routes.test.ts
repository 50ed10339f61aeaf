import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { signature } from '../src/paging/channels/sms-webhook-channel.js';
import type { PushReceiptReport } from '../src/paging/routes.js';
import { type BuiltServer, buildServer } from '../src/server.js';
import { sample } from './fixtures.js';
import { browserKeys } from './support/paging-fakes.js';

/** The paging routes through `inject` on the memory store: devices, contacts, ack by token, gateway ack. */
const USERS = {
  admin: { username: 'page-admin', password: 'correct horse battery staple', role: 'admin' },
  nurse: { username: 'page-nurse', password: 'lighthouse saxophone marmalade', role: 'nurse' },
  other: { username: 'page-other', password: 'quartz umbrella tangerine', role: 'nurse' },
  viewer: { username: 'page-viewer', password: 'orbit walrus harpsichord', role: 'viewer' },
} as const;
type As = keyof typeof USERS;
const GATEWAY_TOKEN = 'gateway-inbound-token-of-32-characters-or-more';
let now = 1_800_000_000_000;
let server: BuiltServer;
let dataDir: string;
const tokens: Partial<Record<As, string>> = {};
const receipts: PushReceiptReport[] = [];

async function call(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  as?: As | { bearer: string },
  payload?: unknown,
) {
  const bearer = as === undefined ? undefined : typeof as === 'string' ? tokens[as] : as.bearer;
  const response = await server.app.inject({
    method,
    url,
    ...(bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {}),
    ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
  });
  return { status: response.statusCode, body: response.body ? response.json() : undefined };
}

let pumpSeq = 0;
/** Raises a fresh air-in-line alert on its own pump and returns its id. */
async function raiseAlert(): Promise<string> {
  pumpSeq += 1;
  now += 1000;
  const pumpId = `PUMP-P${pumpSeq}`;
  server.ward.onSample(
    'hub-1',
    pumpId,
    sample({ seq: 1, ts: now, alarms: ['air_in_line'], state: 'stopped' }),
  );
  const alerts = (await call('GET', '/api/alerts', 'nurse')).body as Array<{ id: string; pumpId: string }>;
  const raised = alerts.find((alert) => alert.pumpId === pumpId);
  if (!raised) throw new Error('no alert raised');
  return raised.id;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pumpwatch-paging-'));
  const config = parseServerConfig({
    dataDir,
    store: { kind: 'memory' },
    auth: { mode: 'required', adminUser: USERS.admin.username, adminPassword: USERS.admin.password },
    paging: {
      smsWebhook: {
        url: 'http://127.0.0.1:9/never-called',
        secret: 'a-shared-secret-of-at-least-32-characters',
        inboundToken: GATEWAY_TOKEN,
      },
      publicRateLimit: { max: 1000 },
    },
  });
  server = await buildServer(config, { logger: pino({ level: 'silent' }), now: () => now });
  server.paging.receiptListeners.push((report) => {
    receipts.push(report);
  });
  tokens.admin = (await call('POST', '/api/login', undefined, USERS.admin)).body.token;
  for (const as of ['nurse', 'other', 'viewer'] as const) {
    expect((await call('POST', '/api/users', 'admin', USERS[as])).status).toBe(201);
    tokens[as] = (await call('POST', '/api/login', undefined, USERS[as])).body.token;
  }
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('devices and contact details', () => {
  it('gives the VAPID public key to signed-in users only', async () => {
    expect((await call('GET', '/api/push/vapid-public-key')).status).toBe(401);
    const key = await call('GET', '/api/push/vapid-public-key', 'viewer');
    expect(key.status).toBe(200);
    expect(key.body.publicKey).toBe(server.paging.vapid.publicKey);
    // An uncompressed P-256 point, base64url: what PushManager.subscribe takes as applicationServerKey.
    expect(Buffer.from(key.body.publicKey, 'base64url')).toHaveLength(65);
  });

  it('subscribes a device for the logged-in user, lists it without keys, and removes it', async () => {
    const { keys } = browserKeys();
    const endpoint = 'https://push.example.org/send/nurse-phone';
    const created = await call('POST', '/api/me/devices', 'nurse', { endpoint, keys, label: 'Ward phone' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      label: 'Ward phone',
      pushService: 'https://push.example.org',
      createdAt: now,
      lastSuccessAt: null,
    });
    const listed = await call('GET', '/api/me/devices', 'nurse');
    expect(listed.body).toEqual([created.body]);
    expect(JSON.stringify(listed.body)).not.toContain(keys.p256dh);
    expect((await call('GET', '/api/me/devices', 'other')).body).toEqual([]);
    // Another nurse cannot remove it; its owner can, once.
    expect((await call('DELETE', `/api/me/devices/${created.body.id}`, 'other')).body.error.code).toBe(
      'DEVICE_NOT_FOUND',
    );
    expect((await call('DELETE', `/api/me/devices/${created.body.id}`, 'nurse')).status).toBe(204);
    expect((await call('DELETE', `/api/me/devices/${created.body.id}`, 'nurse')).status).toBe(404);
    const audit = (await call('GET', '/api/audit?actor=page-nurse', 'admin')).body as Array<{
      action: string;
    }>;
    expect(audit.map((entry) => entry.action)).toEqual(
      expect.arrayContaining(['device_subscribed', 'device_removed']),
    );
  });

  it('moves an endpoint subscribed again by someone else to them (one phone, one person)', async () => {
    const { keys } = browserKeys();
    const endpoint = 'https://push.example.org/send/shared-phone';
    const first = await call('POST', '/api/me/devices', 'nurse', { endpoint, keys, label: 'Shared phone' });
    const second = await call('POST', '/api/me/devices', 'other', { endpoint, keys, label: 'Shared phone' });
    expect(second.body.id).toBe(first.body.id);
    expect((await call('GET', '/api/me/devices', 'nurse')).body).toEqual([]);
    expect((await call('GET', '/api/me/devices', 'other')).body).toHaveLength(1);
  });

  it('refuses a non-https endpoint, bad keys or a missing label by field', async () => {
    const { keys } = browserKeys();
    const plain = await call('POST', '/api/me/devices', 'nurse', {
      endpoint: 'http://127.0.0.1:9999/push',
      keys,
      label: 'x',
    });
    expect(plain.status).toBe(400);
    expect(plain.body.error.issues).toEqual([expect.objectContaining({ path: 'endpoint' })]);
    const bad = await call('POST', '/api/me/devices', 'nurse', {
      endpoint: 'https://p.example.org/x',
      keys: {},
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'keys.auth',
      'keys.p256dh',
      'label',
    ]);
  });

  it('keeps email and SMS number, audited with before and after, refusing bad ones', async () => {
    expect((await call('GET', '/api/me/contact', 'nurse')).body).toEqual({ email: null, smsNumber: null });
    const set = await call('PUT', '/api/me/contact', 'nurse', {
      email: 'nurse@example.org',
      smsNumber: '+447700900123',
    });
    expect(set.body).toEqual({ email: 'nurse@example.org', smsNumber: '+447700900123' });
    expect((await call('GET', '/api/me/contact', 'nurse')).body).toEqual(set.body);
    const bad = await call('PUT', '/api/me/contact', 'nurse', {
      email: 'not-an-email',
      smsNumber: '07700 900123',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual([
      'email',
      'smsNumber',
    ]);
    const [entry] = (await call('GET', '/api/audit?action=contact_updated', 'admin')).body;
    expect(entry).toMatchObject({
      actor: 'page-nurse',
      before: null,
      after: { email: 'nurse@example.org', smsNumber: '+447700900123' },
    });
  });
});

describe('acknowledging without a session', () => {
  it('acknowledges with a page token as its user, and only that alert', async () => {
    const alertId = await raiseAlert();
    const otherAlert = await raiseAlert();
    const { token } = await server.paging.ackTokens.issue('page-nurse', alertId);
    const wrongAlert = await call('POST', `/api/alerts/${otherAlert}/ack-by-token`, undefined, { token });
    expect(wrongAlert.status).toBe(401);
    expect(wrongAlert.body.error.code).toBe('ACK_TOKEN_INVALID');
    // A session token is not an ack token, nor the other way round.
    const session = await call('POST', `/api/alerts/${alertId}/ack-by-token`, undefined, {
      token: tokens.nurse,
    });
    expect(session.body.error.code).toBe('ACK_TOKEN_INVALID');
    expect((await call('GET', '/api/me', { bearer: token })).status).toBe(401);

    const acked = await call('POST', `/api/alerts/${alertId}/ack-by-token`, undefined, { token });
    expect(acked.status).toBe(200);
    expect(acked.body).toEqual({
      id: alertId,
      status: 'acknowledged',
      acknowledgedBy: 'page-nurse',
      acknowledgedAt: now,
    });
    expect(JSON.stringify(acked.body)).not.toContain('patient');
    const audit = (await call('GET', '/api/audit?action=alert_acknowledged', 'admin')).body;
    expect(audit[0]).toMatchObject({ actor: 'page-nurse', target: alertId, after: { via: 'push' } });
  });

  it('refuses an expired token and a token of a user who may no longer acknowledge', async () => {
    const alertId = await raiseAlert();
    const { token } = await server.paging.ackTokens.issue('page-nurse', alertId);
    now += 31 * 60_000;
    const expired = await call('POST', `/api/alerts/${alertId}/ack-by-token`, undefined, { token });
    expect(expired.body.error.code).toBe('ACK_TOKEN_INVALID');
    const viewer = await server.paging.ackTokens.issue('page-viewer', alertId);
    const refused = await call('POST', `/api/alerts/${alertId}/ack-by-token`, undefined, {
      token: viewer.token,
    });
    expect(refused.status).toBe(403);
    expect(
      (await call('GET', '/api/alerts', 'nurse')).body.find((a: { id: string }) => a.id === alertId).status,
    ).toBe('active');
  });

  it('refuses a token of an account since deleted, even once its name is created again', async () => {
    const alertId = await raiseAlert();
    const { token } = await server.paging.ackTokens.issue('page-other', alertId);
    expect((await call('DELETE', '/api/users/page-other', 'admin')).status).toBe(204);
    now += 1000;
    expect((await call('POST', '/api/users', 'admin', USERS.other)).status).toBe(201);
    const refused = await call('POST', `/api/alerts/${alertId}/ack-by-token`, undefined, { token });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('ACK_TOKEN_INVALID');
    tokens.other = (await call('POST', '/api/login', undefined, USERS.other)).body.token;
  });

  it("hands the service worker's receipts to the listeners, token-checked", async () => {
    const alertId = await raiseAlert();
    const { token } = await server.paging.ackTokens.issue('page-nurse', alertId);
    const answered = await call('POST', '/api/push/receipts', undefined, {
      alertId,
      event: 'displayed',
      ackToken: token,
    });
    expect(answered.status).toBe(204);
    expect(receipts.at(-1)).toEqual({ alertId, username: 'page-nurse', event: 'displayed', at: now });
    const forged = await call('POST', '/api/push/receipts', undefined, {
      alertId,
      event: 'clicked',
      ackToken: 'x.y.z',
    });
    expect(forged.body.error.code).toBe('ACK_TOKEN_INVALID');
    expect(receipts).toHaveLength(1);
  });

  it('lets the SMS gateway acknowledge as the nurse, with its own credential only', async () => {
    const alertId = await raiseAlert();
    const body = { alertId, username: 'page-other' };
    expect((await call('POST', '/api/gateway/ack', undefined, body)).status).toBe(401);
    expect((await call('POST', '/api/gateway/ack', { bearer: `${GATEWAY_TOKEN}x` }, body)).status).toBe(401);
    expect((await call('POST', '/api/gateway/ack', 'admin', body)).status).toBe(401);
    // The credential is right, but no page for this alert reached her (an unassigned pump pages no
    // one): the gateway may acknowledge only as a nurse it was sent to (paging-escalation.test.ts).
    const notPaged = await call('POST', '/api/gateway/ack', { bearer: GATEWAY_TOKEN }, body);
    expect(notPaged.status).toBe(403);
    expect(notPaged.body.error.code).toBe('FORBIDDEN');
    const unknown = await call(
      'POST',
      '/api/gateway/ack',
      { bearer: GATEWAY_TOKEN },
      { alertId: 'nope', username: 'page-other' },
    );
    expect(unknown.status).toBe(403);
  });

  it('declares every paging route, the public ones rate limited', async () => {
    const paging = (await import('../src/http/security.js'))
      .declaredRoutes(server.app)
      .filter((route) => /\/api\/(me\/|push\/|gateway\/|alerts\/:alertId\/ack-by-token)/.test(route.url));
    expect(
      Object.fromEntries(paging.map((route) => [`${route.method} ${route.url}`, route.access])),
    ).toMatchObject({
      'GET /api/push/vapid-public-key': 'viewer',
      'POST /api/me/devices': 'viewer',
      'GET /api/me/devices': 'viewer',
      'DELETE /api/me/devices/:deviceId': 'viewer',
      'GET /api/me/contact': 'viewer',
      'PUT /api/me/contact': 'viewer',
      'POST /api/alerts/:alertId/ack-by-token': 'public',
      'POST /api/push/receipts': 'public',
      'POST /api/gateway/ack': 'public',
    });
  });
});

describe('SMS gateway signature', () => {
  it('signs “t.body” with HMAC-SHA256 as the docs show a receiver checking it', () => {
    const body = '{"type":"pumpwatch.page"}';
    const header = signature('secret', body, 1_800_000_000);
    const [t, v1] = header.split(',').map((part) => part.split('=')[1]);
    expect(t).toBe('1800000000');
    expect(v1).toBe(createHmac('sha256', 'secret').update(`1800000000.${body}`).digest('hex'));
  });
});
