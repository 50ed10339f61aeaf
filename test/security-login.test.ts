import { type PumpwatchServer, parseServerConfig, startPumpwatchServer } from '@pumpwatch/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  AUTH_REQUIRED_UNLIMITED,
  createUser,
  getJson,
  login,
  startTestServer,
  TEST_ADMIN,
  tempDataDir,
} from './support/server-harness.js';

/**
 * HTTP login back-off and tokens, on real servers: the back-off is per client address (behind a trusted
 * proxy, the address it forwards) and per username, without letting a guesser lock a user out or clear
 * their own failures; a token is good only for the account it was issued to.
 */

const AUTH = AUTH_REQUIRED_UNLIMITED;

/** A server as the harness starts it, with `http.trustProxy` (which the harness does not pass). */
async function startServer(options: { trustProxy?: string; dataDir?: string; adminPassword?: string } = {}) {
  const config = parseServerConfig({
    http: { host: '127.0.0.1', port: 0, ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}) },
    mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
    dataDir: options.dataDir ?? tempDataDir(),
    auth: { ...AUTH, adminPassword: options.adminPassword ?? TEST_ADMIN.password },
    logLevel: 'warn',
  });
  return startPumpwatchServer(config, { logger: pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'warn' }) });
}

/** `POST /api/login` as the client at `address` says a proxy forwarded it; the error code, or 'OK'. */
async function loginFrom(server: PumpwatchServer, address: string, username: string, password: string) {
  const response = await fetch(`${server.httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ username, password }),
  });
  const body = (await response.json()) as { token?: string; error?: { code: string } };
  return { status: response.status, code: body.error?.code ?? 'OK', token: body.token };
}

const NURSE = { username: 'nell', password: 'nell-password-1', role: 'nurse' } as const;
const OWN = { username: 'mallory', password: 'mallory-password-1', role: 'viewer' } as const;
const OTHER = { username: 'otto', password: 'otto-password-1', role: 'viewer' } as const;

describe('HTTP login back-off behind a trusted proxy', () => {
  let server: PumpwatchServer;

  beforeAll(async () => {
    server = await startServer({ trustProxy: '127.0.0.1' });
    const admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    for (const user of [NURSE, OWN, OTHER]) await createUser(server.httpUrl, admin, user);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('gives two X-Forwarded-For clients of a trusted proxy separate back-offs', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 12; i += 1)
      codes.push((await loginFrom(server, '203.0.113.1', `nobody-${i}`, 'wrong-password')).code);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill('INVALID_CREDENTIALS'));
    expect(codes.slice(10)).toContain('LOGIN_BACKOFF');
    // Another client behind the same proxy is not held up by the first one's guesses.
    expect((await loginFrom(server, '203.0.113.2', 'nobody', 'wrong-password')).code).toBe(
      'INVALID_CREDENTIALS',
    );
    expect((await loginFrom(server, '203.0.113.2', OTHER.username, OTHER.password)).code).toBe('OK');
    // The audit log names the client, not the proxy.
    const admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    const failed = await getJson<Array<{ actor: string; after: { ip: string } }>>(
      `${server.httpUrl}/api/audit?action=login_failed&limit=100`,
      admin,
    );
    expect(failed.body.map((entry) => entry.after.ip)).toContain('203.0.113.1');
  });

  it('lets a nurse sign in from her usual device while strangers guess her password', async () => {
    expect((await loginFrom(server, '198.51.100.20', NURSE.username, NURSE.password)).code).toBe('OK');
    const codes: string[] = [];
    for (let i = 0; i < 7; i += 1)
      codes.push((await loginFrom(server, '203.0.113.30', NURSE.username, `wrong-${i}`)).code);
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('INVALID_CREDENTIALS'));
    expect(codes.slice(5)).toContain('LOGIN_BACKOFF');
    // A device she never signed in from waits, even with the right password: guessing stays slow.
    expect((await loginFrom(server, '203.0.113.31', NURSE.username, NURSE.password)).code).toBe(
      'LOGIN_BACKOFF',
    );
    // Her own device does not.
    expect((await loginFrom(server, '198.51.100.20', NURSE.username, NURSE.password)).code).toBe('OK');
  });

  it('does not let signing in to an account of its own reset a guessing address', async () => {
    const address = '203.0.113.40';
    for (let i = 0; i < 10; i += 1) {
      expect((await loginFrom(server, address, `victim-${i}`, 'wrong-password')).code).toBe(
        'INVALID_CREDENTIALS',
      );
      expect((await loginFrom(server, address, OWN.username, OWN.password)).code).toBe('OK');
    }
    expect((await loginFrom(server, address, 'victim-x', 'wrong-password')).code).toBe('INVALID_CREDENTIALS');
    expect((await loginFrom(server, address, 'victim-y', 'wrong-password')).code).toBe('LOGIN_BACKOFF');
    expect((await loginFrom(server, address, OWN.username, OWN.password)).code).toBe('LOGIN_BACKOFF');
  });
});

describe('HTTP login back-off without a trusted proxy', () => {
  let server: PumpwatchServer;

  beforeAll(async () => {
    server = await startTestServer({ auth: AUTH });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('ignores X-Forwarded-For: every request is its socket peer’s', async () => {
    for (let i = 0; i < 11; i += 1) await loginFrom(server, '203.0.113.1', `nobody-${i}`, 'wrong-password');
    expect((await loginFrom(server, '203.0.113.1', 'nobody', 'wrong-password')).code).toBe('LOGIN_BACKOFF');
    expect((await loginFrom(server, '203.0.113.2', 'nobody', 'wrong-password')).code).toBe('LOGIN_BACKOFF');
  });
});

describe('tokens belong to one account', () => {
  it('does not bring a deleted account’s tokens back with its name, over HTTP or /ws', async () => {
    const server = await startServer();
    try {
      const admin = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
      const rhea = { username: 'rhea', password: 'rhea-password-1', role: 'nurse' } as const;
      await createUser(server.httpUrl, admin, rhea);
      const old = await login(server.httpUrl, rhea.username, rhea.password);
      const socket = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws?token=${old}`);
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      const deleted = await fetch(`${server.httpUrl}/api/users/${rhea.username}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(deleted.status).toBe(204);
      // The name again, for someone else, at once.
      await createUser(server.httpUrl, admin, { ...rhea, password: 'another-rhea-password', role: 'viewer' });
      expect((await getJson(`${server.httpUrl}/api/me`, old)).status).toBe(401);
      expect(await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 8_000, -1))])).toBe(
        4001,
      );
      const refused = new WebSocket(`${server.httpUrl.replace('http', 'ws')}/ws?token=${old}`);
      const upgrade = await new Promise<number>((resolve) => {
        refused.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        refused.once('open', () => resolve(101));
      });
      expect(upgrade).toBe(401);
      const fresh = await login(server.httpUrl, rhea.username, 'another-rhea-password');
      expect((await getJson(`${server.httpUrl}/api/me`, fresh)).body).toEqual({
        username: 'rhea',
        role: 'viewer',
      });
    } finally {
      await server.stop();
    }
  });

  it('ends the admin’s older sessions when PUMPWATCH_ADMIN_PASSWORD resets it at start', async () => {
    const dataDir = tempDataDir();
    let server = await startServer({ dataDir });
    const before = await login(server.httpUrl, TEST_ADMIN.username, TEST_ADMIN.password);
    await server.stop();
    // The same password at the next start keeps sessions: they survive a restart.
    server = await startServer({ dataDir });
    expect((await getJson(`${server.httpUrl}/api/me`, before)).status).toBe(200);
    await server.stop();
    const reset = 'a brand new admin passphrase';
    server = await startServer({ dataDir, adminPassword: reset });
    try {
      expect((await getJson(`${server.httpUrl}/api/me`, before)).status).toBe(401);
      const after = await login(server.httpUrl, TEST_ADMIN.username, reset);
      expect((await getJson(`${server.httpUrl}/api/me`, after)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
