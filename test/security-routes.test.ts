import { request as httpRequest } from 'node:http';
import * as protocol from '@pumpwatch/protocol';
import { RESERVED_IDS } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  AUTH_REQUIRED_UNLIMITED,
  createUser,
  getJson,
  login,
  postJson,
  registerHub,
  startTestServer,
  TEST_ADMIN,
  tempDataDir,
} from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/**
 * The adversarial suite for HTTP: it takes every route from the running server (so a route added later
 * joins by itself) and tries to reach each without a token, or with too low a role, under every spelling
 * of its path an attacker would try. Then every reserved id on every path parameter and MQTT topic, and
 * the server must still answer, also after a restart on the same data directory.
 */

const AUTH = AUTH_REQUIRED_UNLIMITED;
const VIEWER = { username: 'vera', password: 'vera-password-1', role: 'viewer' } as const;
const DOOMED = { username: 'dora', password: 'dora-password-1', role: 'nurse' } as const;
const reservedNames = [...RESERVED_IDS].filter((name) => /^[A-Za-z0-9_-]{1,64}$/.test(name));

interface RawResponse {
  status: number;
  body: string;
}

/** A request sent with its path exactly as given: fetch would normalise dot segments and case away. */
function raw(server: PumpwatchServer, method: string, path: string, token?: string): Promise<RawResponse> {
  const url = new URL(server.httpUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        // A connection of its own: a reused one the server has since closed would fail as a reset.
        agent: false,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(method === 'GET' || method === 'HEAD'
            ? {}
            : { 'content-type': 'application/json', 'content-length': '2' }),
        },
        timeout: 5000,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out`)));
    // A connection the server closes without answering (Node's parser refusing a malformed target)
    // reaches nothing: status 0.
    request.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve({ status: 0, body: '' }) : reject(error),
    );
    request.end(method === 'GET' || method === 'HEAD' ? undefined : '{}');
  });
}

/** A concrete path for a route pattern: parameters filled with values that exist where it matters. */
function concrete(url: string, values: Record<string, string> = {}): string {
  return url
    .replace(/:(\w+)/g, (_match, name: string) => values[name] ?? `x-${name}`)
    .replace(/\*$/, 'index.html');
}

/** Spellings of a path that reach the same route, or try to, after decoding and normalisation. */
function variants(path: string): string[] {
  const encodeAll = (text: string) =>
    [...text].map((c) => (c === '/' ? c : `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)).join('');
  const body = path.slice(1);
  return [
    path,
    `/%61${path.slice(2)}`,
    `/${encodeAll(body)}`,
    `/${encodeAll(body).toUpperCase()}`,
    path.toUpperCase(),
    path.replace('/api', '/Api'),
    `/${path}`,
    path.replaceAll('/', '//'),
    `/x/..${path}`,
    `/.${path}`,
    path.replace('/api/', '/api/./'),
    `/%2e%2e${path}`,
    `/x/%2e%2e${path}`,
    path.replace('/api/', '/api%2f'),
    path.replace('/api/', '/api%2F'),
    path.replace('/api/', '/api\\'),
    `${path}/`,
    `${path};x=1`,
    `${path}%00`,
    `${path}?token=x`,
    `${path}#x`,
  ];
}

describe('every route under attack (authentication required)', () => {
  let server: PumpwatchServer;
  let dataDir: string;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    dataDir = tempDataDir();
    server = await startTestServer({ auth: AUTH, dataDir });
    admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await createUser(server.httpUrl, admin, VIEWER);
    viewer = await login(server.httpUrl, VIEWER.username, VIEWER.password);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('knows every route and each declares who may call it', () => {
    const routes = server.httpRoutes();
    expect(routes.length).toBeGreaterThan(20);
    const undeclared = routes.filter((route) => route.access === undefined);
    expect(undeclared.map((route) => `${route.method} ${route.url}`)).toEqual([]);
    expect(routes.filter((route) => route.access === 'public').map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining(['GET /api/health', 'POST /api/login']),
    );
  });

  it('refuses every protected route without a token under every spelling of its path', async () => {
    const leaks: string[] = [];
    const protectedRoutes = server.httpRoutes().filter((route) => route.access !== 'public');
    for (const route of protectedRoutes) {
      for (const path of variants(concrete(route.url, { username: VIEWER.username }))) {
        const response = await raw(server, route.method, path);
        // 401 where the path reaches the route; 404 or 400 where it reaches none; 0 for a connection
        // closed unanswered. Never data, never a 5xx.
        if (![0, 400, 401, 404].includes(response.status))
          leaks.push(`${route.method} ${path} → ${response.status} ${response.body.slice(0, 80)}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it("refuses every route above a viewer's role to a viewer under every spelling", async () => {
    const leaks: string[] = [];
    const above = server.httpRoutes().filter((route) => route.access === 'nurse' || route.access === 'admin');
    expect(above.length).toBeGreaterThan(5);
    for (const route of above) {
      for (const path of variants(concrete(route.url, { username: VIEWER.username }))) {
        const response = await raw(server, route.method, path, viewer);
        if (![0, 400, 403, 404].includes(response.status))
          leaks.push(`${route.method} ${path} → ${response.status} ${response.body.slice(0, 80)}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('never answers a request without a token as an admin, even where a route forgot its access', async () => {
    const created = await raw(server, 'POST', '/%61pi/users');
    expect(created.status).toBe(401);
    const audit = await getJson<Array<{ actor: string }>>(`${server.httpUrl}/api/audit?limit=1000`, admin);
    expect(audit.body.map((entry) => entry.actor)).not.toContain('anonymous');
  });

  it('refuses every reserved name on every path parameter and keeps answering', async () => {
    const withParams = server.httpRoutes().filter((route) => route.url.includes(':'));
    const failures: string[] = [];
    for (const route of withParams) {
      for (const name of reservedNames) {
        const path = route.url.replace(/:(\w+)/g, name);
        const response = await raw(server, route.method, path, admin);
        if (response.status >= 500 || response.status < 400)
          failures.push(`${route.method} ${path} → ${response.status} ${response.body.slice(0, 80)}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await getJson(`${server.httpUrl}/api/health`)).status).toBe(200);
  });

  it('refuses every reserved name as an id on every MQTT topic, counts it and keeps ingesting', async () => {
    const hub = await registerHub(server.httpUrl, admin, 'hub-adversary');
    const client = await mqtt.connectAsync(server.mqttUrl, {
      username: hub.username,
      password: hub.password,
      clientId: `${hub.hubId}:adversary`,
      reconnectPeriod: 0,
    });
    // Every topic builder protocol/ exports, so a topic added later is attacked too.
    const builders = Object.entries(protocol).filter(
      (entry): entry is [string, (...args: string[]) => string] =>
        entry[0].endsWith('Topic') && typeof entry[1] === 'function',
    );
    expect(builders.map(([name]) => name)).toEqual(
      expect.arrayContaining(['telemetryTopic', 'hubStatusTopic', 'pumpLinkTopic']),
    );
    const sample = (seq: number) =>
      JSON.stringify({ v: 1, seq, ts: Date.now(), state: 'infusing', rate_mL_h: 5, vi_mL: seq, alarms: [] });
    let sent = 0;
    for (const [, build] of builders) {
      for (const name of reservedNames) {
        // The hub id must be its own to get past the broker; the reserved name goes in every other id.
        const ids = Array.from({ length: build.length - 1 }, (_, index) => (index === 0 ? hub.hubId : name));
        if (ids.length < 2) continue;
        await client.publishAsync(build(protocol.DEFAULT_TOPIC_PREFIX, ...ids), sample(1), { qos: 1 });
        sent += 1;
      }
    }
    await client.publishAsync(
      protocol.telemetryTopic(protocol.DEFAULT_TOPIC_PREFIX, hub.hubId, 'PUMP-OK'),
      sample(1),
      {
        qos: 1,
      },
    );
    await waitFor(
      async () => {
        const health = await getJson<{ ingest: { accepted: number; rejected: Record<string, number> } }>(
          `${server.httpUrl}/api/health`,
        );
        return health.body.ingest.rejected.reserved_id === sent && health.body.ingest.accepted >= 1;
      },
      { what: 'every reserved id counted and the good sample accepted' },
    );
    await client.endAsync();
    expect(sent).toBeGreaterThan(reservedNames.length);
    const pumps = await getJson<Array<{ pumpId: string }>>(`${server.httpUrl}/api/pumps`, viewer);
    expect(pumps.body.map((pump) => pump.pumpId)).toContain('PUMP-OK');
    expect(pumps.body.map((pump) => pump.pumpId).filter((id) => RESERVED_IDS.has(id))).toEqual([]);
  });

  it('backs off repeated failed logins for a username, before any password is checked', async () => {
    await createUser(server.httpUrl, admin, { username: 'bea', password: 'bea-password-1', role: 'viewer' });
    const codes: string[] = [];
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const response = await postJson<{ error?: { code: string } }>(`${server.httpUrl}/api/login`, {
        username: 'bea',
        password: `wrong-${attempt}`,
      });
      codes.push(response.body.error?.code ?? String(response.status));
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('INVALID_CREDENTIALS'));
    expect(codes.slice(5)).toContain('LOGIN_BACKOFF');
    // While backed off even the right password waits: the wait is what makes guessing slow.
    const right = await postJson<{ error?: { code: string } }>(`${server.httpUrl}/api/login`, {
      username: 'bea',
      password: 'bea-password-1',
    });
    expect(right.body.error?.code).toBe('LOGIN_BACKOFF');
    // Another user signs in meanwhile.
    expect(await login(server.httpUrl, VIEWER.username, VIEWER.password)).toBeTruthy();
  });

  it('refuses weak passwords field by field', async () => {
    for (const password of ['password', 'password1234', 'qwertyuiopasdf', 'short']) {
      const response = await postJson<{ error: { code: string; issues: Array<{ path: string }> } }>(
        `${server.httpUrl}/api/users`,
        { username: 'wendy', password, role: 'viewer' },
        admin,
      );
      expect(response.status, password).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(response.body.error.issues.map((issue) => issue.path)).toEqual(['password']);
    }
    const strong = await postJson(
      `${server.httpUrl}/api/users`,
      { username: 'wendy', password: 'tulip drip syringe meadow', role: 'viewer' },
      admin,
    );
    expect(strong.status).toBe(201);
  });

  it('ends every session of a deleted user at once, its WebSocket too', async () => {
    await createUser(server.httpUrl, admin, DOOMED);
    const token = await login(server.httpUrl, DOOMED.username, DOOMED.password);
    expect((await getJson(`${server.httpUrl}/api/me`, token)).status).toBe(200);
    const socket = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws?token=${token}`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const deleted = await raw(server, 'DELETE', `/api/users/${DOOMED.username}`, admin);
    expect(deleted.status, deleted.body).toBe(204);
    expect((await getJson(`${server.httpUrl}/api/me`, token)).status).toBe(401);
    expect(await closed).toBe(4001);
    const audit = await getJson<Array<{ action: string; target: string }>>(
      `${server.httpUrl}/api/audit?action=user_deleted`,
      admin,
    );
    expect(audit.body.map((entry) => entry.target)).toContain(DOOMED.username);
  });

  it('stores a typed username without its control characters as the audit actor', async () => {
    const typed = 'mallory\u001b[2J\r\nadmin logged in\u0007';
    await postJson(`${server.httpUrl}/api/login`, { username: typed, password: 'whatever-it-is' });
    const audit = await getJson<Array<{ action: string; actor: string }>>(
      `${server.httpUrl}/api/audit?action=login_failed`,
      admin,
    );
    const actors = audit.body.map((entry) => entry.actor).filter((actor) => actor.startsWith('mallory'));
    expect(actors.length).toBe(1);
    expect(actors[0]).not.toMatch(/\p{Cc}/u);
  });

  it('starts again on the same data directory after all of this and serves', async () => {
    await server.stop();
    server = await startTestServer({ auth: AUTH, dataDir });
    expect((await getJson(`${server.httpUrl}/api/health`)).status).toBe(200);
    const token = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    const pumps = await getJson<Array<{ pumpId: string }>>(`${server.httpUrl}/api/pumps`, token);
    expect(pumps.body.map((pump) => pump.pumpId)).toContain('PUMP-OK');
  });
});
