import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestRejectReasons, ruleIds } from '@pumpwatch/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { PumpwatchError } from '../src/errors.js';
import { declaredRoutes } from '../src/http/security.js';
import { type BuiltServer, buildServer } from '../src/server.js';
import { sample } from './fixtures.js';
import { type ExposedSample, parseExposition, sampleValue } from './metrics-exposition.js';

/**
 * `/metrics` through `inject` on the memory store: who may scrape it, and that the figures are the
 * ward's. The label names allowed are the bounded ones (docs/operations.md#metrics); any other label,
 * or a pump or hub id anywhere in the text, fails.
 */
const TOKEN = 'scrape-token-0123456789abcdef-0123456789';
const ADMIN = { username: 'metrics-admin', password: 'correct horse battery staple' };
const NOW = 1_800_000_000_000;

/** Label names a pumpwatch family may carry; the Node default metrics' own are listed after them. */
const BOUNDED_LABELS = new Set(['reason', 'rule', 'priority', 'state', 'type', 'channel', 'outcome', 'le']);
const NODE_DEFAULT_LABELS = new Set(['version', 'major', 'minor', 'patch', 'space', 'kind', 'type', 'le']);

let server: BuiltServer;
let dataDir: string;

async function scrape(authorization?: string) {
  const response = await server.app.inject({
    method: 'GET',
    url: '/metrics',
    ...(authorization ? { headers: { authorization } } : {}),
  });
  return response;
}

async function scrapeSamples(): Promise<ExposedSample[]> {
  const response = await scrape(`Bearer ${TOKEN}`);
  expect(response.statusCode).toBe(200);
  return parseExposition(response.body);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'pumpwatch-metrics-'));
  const config = parseServerConfig({
    dataDir,
    store: { kind: 'memory' },
    auth: { mode: 'required', adminUser: ADMIN.username, adminPassword: ADMIN.password },
    metrics: { token: TOKEN },
  });
  server = await buildServer(config, { logger: pino({ level: 'silent' }), now: () => NOW });
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('GET /metrics on the API port (metrics.token)', () => {
  it('refuses a scrape without the token, with a wrong one, and with a user session token', async () => {
    const login = await server.app.inject({ method: 'POST', url: '/api/login', payload: ADMIN });
    const session = login.json().token as string;
    for (const authorization of [
      undefined,
      `Bearer ${TOKEN.slice(0, -1)}x`,
      `Bearer ${TOKEN}-longer`,
      `Basic ${TOKEN}`,
      `Bearer ${session}`,
    ]) {
      const response = await scrape(authorization);
      expect(response.statusCode, String(authorization)).toBe(401);
      expect(response.json().error.code).toBe('UNAUTHENTICATED');
      expect(response.body).not.toContain('pumpwatch_');
    }
  });

  it('answers the scrape token with the text format', async () => {
    const response = await scrape(`Bearer ${TOKEN}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const names = new Set(parseExposition(response.body).map((one) => one.name));
    // Process metrics and event-loop lag come with the server's own.
    for (const name of [
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_seconds',
      'pumpwatch_mqtt_connected',
    ])
      expect(names).toContain(name);
  });

  it('counts each rejection reason from 0 and every sample the ward accepted or dropped as a repeat', async () => {
    let samples = await scrapeSamples();
    for (const reason of ingestRejectReasons)
      expect(sampleValue(samples, 'pumpwatch_ingest_messages_rejected_total', { reason })).toBe(0);
    const before = sampleValue(samples, 'pumpwatch_ingest_samples_accepted_total') ?? Number.NaN;
    for (const seq of [1, 2, 3]) server.ward.onSample('hub-m1', 'PUMP-M1', sample({ seq, ts: NOW + seq }));
    server.ward.onSample('hub-m1', 'PUMP-M1', sample({ seq: 2, ts: NOW + 2 }));
    samples = await scrapeSamples();
    expect(sampleValue(samples, 'pumpwatch_ingest_samples_accepted_total')).toBe(before + 3);
    expect(sampleValue(samples, 'pumpwatch_ingest_samples_duplicate_total')).toBe(1);
  });

  it('shows open alerts by rule, priority and state, their transitions and raised → WS frame', async () => {
    server.ward.onSample(
      'hub-m2',
      'PUMP-M2',
      sample({ seq: 1, ts: NOW, alarms: ['air_in_line'], state: 'stopped' }),
    );
    const [raised] = server.ward.openAlerts().filter((alert) => alert.pumpId === 'PUMP-M2');
    expect(raised?.rule).toBe('air_in_line');
    const labels = { rule: 'air_in_line', priority: raised?.priority ?? '' };
    let samples = await scrapeSamples();
    expect(sampleValue(samples, 'pumpwatch_alerts_open', { ...labels, state: 'active' })).toBe(1);
    expect(sampleValue(samples, 'pumpwatch_alert_transitions_total', { ...labels, type: 'raised' })).toBe(1);
    // The test's clock stands still: the frame went out "at once", in the first bucket.
    expect(sampleValue(samples, 'pumpwatch_alert_raised_to_ws_frame_seconds_count')).toBe(1);
    expect(sampleValue(samples, 'pumpwatch_alert_raised_to_ws_frame_seconds_bucket', { le: '0.001' })).toBe(
      1,
    );

    await server.ward.acknowledge(raised?.id ?? '', 'metrics-nurse');
    samples = await scrapeSamples();
    expect(sampleValue(samples, 'pumpwatch_alerts_open', { ...labels, state: 'active' })).toBeUndefined();
    expect(sampleValue(samples, 'pumpwatch_alerts_open', { ...labels, state: 'acknowledged' })).toBe(1);
    expect(
      sampleValue(samples, 'pumpwatch_alert_transitions_total', { ...labels, type: 'acknowledged' }),
    ).toBe(1);
  });

  it('counts pumps and hubs by state, never by name', async () => {
    server.ward.onHubStatus('hub-m1', { online: true, ts: NOW, version: '1.0.0' });
    const samples = await scrapeSamples();
    const views = server.ward.views();
    const hubsOnline = new Set(views.filter((view) => view.hubOnline).map((view) => view.hubId)).size;
    const hubs = new Set(views.map((view) => view.hubId)).size;
    expect(hubsOnline).toBe(1);
    expect(sampleValue(samples, 'pumpwatch_hubs', { state: 'online' })).toBe(hubsOnline);
    expect(sampleValue(samples, 'pumpwatch_hubs', { state: 'offline' })).toBe(hubs - hubsOnline);
    expect(sampleValue(samples, 'pumpwatch_pumps', { state: 'online' })).toBe(
      views.filter((v) => v.online).length,
    );
    expect(sampleValue(samples, 'pumpwatch_pumps', { state: 'offline' })).toBe(
      views.filter((v) => !v.online).length,
    );
  });

  it('carries only bounded label names, and no pump id, hub id or patient data', async () => {
    const response = await scrape(`Bearer ${TOKEN}`);
    for (const secret of ['PUMP-M1', 'PUMP-M2', 'hub-m1', 'hub-m2', ADMIN.username, 'metrics-nurse'])
      expect(response.body).not.toContain(secret);
    const unbounded = parseExposition(response.body).flatMap((one) =>
      Object.keys(one.labels)
        .filter(
          (label) => !(one.name.startsWith('pumpwatch_') ? BOUNDED_LABELS : NODE_DEFAULT_LABELS).has(label),
        )
        .map((label) => `${one.name}{${label}}`),
    );
    expect(unbounded).toEqual([]);
    const rules = new Set(
      parseExposition(response.body)
        .filter((one) => one.name === 'pumpwatch_alerts_open')
        .map((one) => one.labels.rule),
    );
    for (const rule of rules) expect(ruleIds).toContain(rule);
  });

  it('declares the route public to the session check: the scrape token is what guards it', () => {
    // The adversarial suite enumerates routes by their declared access (test/security-routes.test.ts).
    const route = declaredRoutes(server.app).find((one) => one.url === '/metrics' && one.method === 'GET');
    expect(route?.access).toBe('public');
  });
});

describe('metrics config', () => {
  it('lists a short token and a bad listen address at once, each with its path', () => {
    let caught: unknown;
    try {
      parseServerConfig({ metrics: { token: 'short', listen: 'nowhere' } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PumpwatchError);
    const { code, details } = caught as PumpwatchError;
    expect(code).toBe('CONFIG_INVALID');
    const paths = (details as Array<{ path: string }>).map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(['metrics.token', 'metrics.listen']));
  });

  it('reads host:port and [v6]:port', () => {
    expect(parseServerConfig({ metrics: { listen: '0.0.0.0:9464' } }).metrics.listen).toEqual({
      host: '0.0.0.0',
      port: 9464,
    });
    expect(parseServerConfig({ metrics: { listen: '[::1]:9464' } }).metrics.listen).toEqual({
      host: '::1',
      port: 9464,
    });
    expect(() => parseServerConfig({ metrics: { listen: '127.0.0.1:70000' } })).toThrow(PumpwatchError);
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe('metrics.listen: an address of its own', () => {
  it('serves /metrics there and not on the API port; the token still applies there', async () => {
    const port = await freePort();
    const ownDir = mkdtempSync(join(tmpdir(), 'pumpwatch-metrics-listen-'));
    const built = await buildServer(
      parseServerConfig({
        dataDir: ownDir,
        store: { kind: 'memory' },
        http: { host: '127.0.0.1', port: 0 },
        mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
        auth: { mode: 'disabled' },
        metrics: { listen: `127.0.0.1:${port}`, token: TOKEN },
      }),
      { logger: pino({ level: 'silent' }) },
    );
    const running = await built.listen();
    try {
      expect((await fetch(`${running.httpUrl}/metrics`)).status).toBe(404);
      const url = `http://127.0.0.1:${port}/metrics`;
      const refused = await fetch(url);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
      const scraped = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(scraped.status).toBe(200);
      expect(sampleValue(parseExposition(await scraped.text()), 'pumpwatch_mqtt_connected')).toBe(1);
      expect((await fetch(`http://127.0.0.1:${port}/api/health`)).status).toBe(404);
    } finally {
      await running.stop();
      rmSync(ownDir, { recursive: true, force: true });
    }
    // Closed with the server.
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('is off with neither a token nor an address', async () => {
    const ownDir = mkdtempSync(join(tmpdir(), 'pumpwatch-metrics-off-'));
    const built = await buildServer(
      parseServerConfig({ dataDir: ownDir, store: { kind: 'memory' }, auth: { mode: 'disabled' } }),
      { logger: pino({ level: 'silent' }) },
    );
    try {
      const response = await built.app.inject({ method: 'GET', url: '/metrics' });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe('NOT_FOUND');
    } finally {
      await built.close();
      rmSync(ownDir, { recursive: true, force: true });
    }
  });
});
