import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type PumpwatchServer,
  parseServerConfig,
  type ServerConfigInput,
  startPumpwatchServer,
} from '@pumpwatch/server';
import { pino } from 'pino';

export interface ServerHarnessOptions {
  /** The dead man's switch (docs/operations.md). */
  heartbeat?: ServerConfigInput['heartbeat'];
  /** External broker; without it the server embeds aedes on a free port. */
  mqttUrl?: string;
  dataDir?: string;
  pumpOfflineAfterMs?: number;
  /**
   * Fixed ports (0 or absent: a free one). A test that stops and restarts the server passes the ports
   * and data dir of the first run, so browsers and gateways reconnect to the same addresses.
   */
  httpPort?: number;
  mqttPort?: number;
  /** On-call tiers and delays (server config `escalation`). */
  escalation?: ServerConfigInput['escalation'];
  /**
   * Authentication. Functional suites run with it disabled so they test one thing; the security suite
   * and the end-to-end and browser flows run with it required, the production default.
   */
  auth?: ServerConfigInput['auth'];
  /** The server's own credentials on an external broker. */
  mqttUser?: { username: string; password: string };
}

/** Admin credentials the harness ensures when authentication is required. */
export const TEST_ADMIN = { username: 'test-admin', password: 'test-admin-password' };

/** `auth` for `startTestServer`: required (the production default) with `TEST_ADMIN` ensured. */
export const AUTH_REQUIRED = {
  mode: 'required',
  adminUser: TEST_ADMIN.username,
  adminPassword: TEST_ADMIN.password,
} as const satisfies ServerConfigInput['auth'];

/** `AUTH_REQUIRED` without the per-address login rate limit, which would answer 429 before the back-off. */
export const AUTH_REQUIRED_UNLIMITED = {
  ...AUTH_REQUIRED,
  loginRateLimit: { max: 10_000 },
} as const satisfies ServerConfigInput['auth'];

export interface TestUser {
  username: string;
  password: string;
  role: 'viewer' | 'nurse' | 'admin';
}

/** Creates a user through the API as an admin (`POST /api/users`). */
export async function createUser(httpUrl: string, adminToken: string, user: TestUser): Promise<TestUser> {
  const created = await postJson(`${httpUrl}/api/users`, user, adminToken);
  if (created.status !== 201)
    throw new Error(`creating ${user.username} failed: ${created.status} ${JSON.stringify(created.body)}`);
  return user;
}

/** Registers a hub's MQTT credentials as an admin (`POST /api/hubs`); pass them as the gateway's `mqtt`. */
export async function registerHub(
  httpUrl: string,
  adminToken: string,
  hubId: string,
): Promise<{ hubId: string; username: string; password: string }> {
  const registered = await postJson<{ hubId: string; username: string; password: string }>(
    `${httpUrl}/api/hubs`,
    { hubId },
    adminToken,
  );
  if (registered.status !== 201)
    throw new Error(`registering ${hubId} failed: ${registered.status} ${JSON.stringify(registered.body)}`);
  return registered.body;
}

/** A fresh temporary data directory for a server. */
export function tempDataDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'pw-server-')), 'data');
}

/** Starts a real server in this process on loopback (free ports unless given) with a fresh data directory. */
export async function startTestServer(options: ServerHarnessOptions = {}): Promise<PumpwatchServer> {
  const config = parseServerConfig({
    http: { host: '127.0.0.1', port: options.httpPort ?? 0 },
    mqtt: {
      embeddedHost: '127.0.0.1',
      embeddedPort: options.mqttPort ?? 0,
      ...(options.mqttUrl ? { url: options.mqttUrl } : {}),
      ...(options.mqttUser ?? {}),
    },
    dataDir: options.dataDir ?? tempDataDir(),
    ...(options.pumpOfflineAfterMs ? { pumpOfflineAfterMs: options.pumpOfflineAfterMs } : {}),
    ...(options.escalation ? { escalation: options.escalation } : {}),
    ...(options.heartbeat ? { heartbeat: options.heartbeat } : {}),
    auth: options.auth ?? { mode: 'disabled' },
    logLevel: 'warn',
  });
  return startPumpwatchServer(config, { logger: pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'warn' }) });
}

/** Logs in over HTTP and returns the bearer token. */
export async function login(httpUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200)
    throw new Error(`login as ${username} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export async function getJson<T = unknown>(
  url: string,
  token?: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: response.status, body: (await response.json()) as T };
}

export async function postJson<T = unknown>(
  url: string,
  payload: unknown,
  token?: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as T };
}
