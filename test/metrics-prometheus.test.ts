import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Gateway, type StatusServer, startStatusServer } from '@pumpwatch/gateway';
import { DEFAULT_TOPIC_PREFIX, telemetryTopic } from '@pumpwatch/protocol';
import { type PumpwatchServer, parseServerConfig, startPumpwatchServer } from '@pumpwatch/server';
import mqtt from 'mqtt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as stringifyYaml } from 'yaml';
import { startTestGateway } from './support/gateway-harness.js';
import { freePort } from './support/ports.js';
import { tempDataDir } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/**
 * Debian's real Prometheus scrapes a real server (embedded aedes) with the metrics token, and a real
 * gateway's status port; the counters it stored are read back through its HTTP query API and must be
 * exactly what was published. The operators' alert rules (deploy/prometheus/rules) are loaded too and
 * must evaluate without error against the real metrics.
 */
const PROMETHEUS = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((path) => existsSync(path));
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TOKEN = 'prometheus-scrape-token-0123456789abcdef';
const HUB = 'hub-prom';
const PUMPS = ['PROM-1', 'PROM-2', 'PROM-3', 'PROM-4', 'PROM-5'];
const SEQS_PER_PUMP = 6;

interface RunningPrometheus {
  /** The value of an instant query's only series; undefined while it has none. */
  value(query: string): Promise<number | undefined>;
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

async function startPrometheus(jobs: unknown[], ruleFiles: string[]): Promise<RunningPrometheus> {
  if (!PROMETHEUS)
    throw new Error(
      'prometheus not found: install Debian package prometheus (scripts/ensure-system-deps.sh)',
    );
  const dir = mkdtempSync(join(tmpdir(), 'pw-prometheus-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    stringifyYaml({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: ruleFiles,
      scrape_configs: jobs,
    }),
  );
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const api = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${url}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  };
  try {
    await waitFor(
      async () => {
        if (exited) throw new Error(`prometheus exited: ${stderr}`);
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok === true;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `prometheus on port ${port}` },
    );
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    api,
    async value(query) {
      const data = await api<{ result: Array<{ value: [number, string] }> }>(
        `/api/v1/query?${new URLSearchParams({ query })}`,
      );
      if (data.result.length > 1) throw new Error(`${query}: ${data.result.length} series`);
      const value = data.result[0]?.value[1];
      return value === undefined ? undefined : Number(value);
    },
    async stop() {
      if (!exited) {
        const done = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await done;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls Prometheus until `query` has the value `expected` (bounded), then returns what it saw. */
async function scraped(prometheus: RunningPrometheus, query: string, expected: number): Promise<number> {
  let last: number | undefined;
  await waitFor(
    async () => {
      last = await prometheus.value(query);
      return last === expected;
    },
    { timeoutMs: 15_000, intervalMs: 250, what: `${query} == ${expected} in Prometheus (last ${last})` },
  );
  return last as number;
}

describe('a real Prometheus scraping the server and a gateway', () => {
  let server: PumpwatchServer;
  let prometheus: RunningPrometheus;
  let gateway: Gateway | undefined;
  let status: StatusServer | undefined;
  let gatewayStatusPort: number;
  let secretsDir: string;

  beforeAll(async () => {
    server = await startPumpwatchServer(
      parseServerConfig({
        http: { host: '127.0.0.1', port: 0 },
        mqtt: { embeddedHost: '127.0.0.1', embeddedPort: 0 },
        dataDir: tempDataDir(),
        auth: { mode: 'disabled' },
        metrics: { token: TOKEN },
        logLevel: 'warn',
      }),
      { logger: pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'warn' }) },
    );
    const target = new URL(server.httpUrl).host;
    gatewayStatusPort = await freePort();
    secretsDir = mkdtempSync(join(tmpdir(), 'pw-prometheus-secrets-'));
    const tokenFile = join(secretsDir, 'token');
    const wrongTokenFile = join(secretsDir, 'wrong-token');
    writeFileSync(tokenFile, TOKEN, { mode: 0o600 });
    writeFileSync(wrongTokenFile, `${TOKEN}-not-it`, { mode: 0o600 });
    prometheus = await startPrometheus(
      [
        {
          job_name: 'pumpwatch',
          authorization: { type: 'Bearer', credentials_file: tokenFile },
          static_configs: [{ targets: [target] }],
        },
        {
          job_name: 'pumpwatch-wrong-token',
          authorization: { type: 'Bearer', credentials_file: wrongTokenFile },
          static_configs: [{ targets: [target] }],
        },
        { job_name: 'pumpwatch-gateway', static_configs: [{ targets: [`127.0.0.1:${gatewayStatusPort}`] }] },
      ],
      [join(root, 'deploy/prometheus/rules/pumpwatch.rules.yml')],
    );
  });

  afterAll(async () => {
    await status?.close();
    await gateway?.stop();
    await prometheus?.stop();
    await server?.stop();
    if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
  });

  it('stores exactly the samples accepted, repeated and rejected by reason', async () => {
    // Nothing was published yet: the first scrapes say 0.
    await scraped(prometheus, 'pumpwatch_ingest_samples_accepted_total{job="pumpwatch"}', 0);
    const client = await mqtt.connectAsync(server.mqttUrl, {
      reconnectPeriod: 0,
      clientId: 'prom-publisher',
    });
    try {
      const publish = (pumpId: string, payload: string) =>
        client.publishAsync(telemetryTopic(DEFAULT_TOPIC_PREFIX, HUB, pumpId), payload, { qos: 1 });
      const sample = (seq: number) =>
        JSON.stringify({
          v: 1,
          seq,
          ts: 1_800_000_000_000 + seq * 1000,
          state: 'infusing',
          rate_mL_h: 20,
          vi_mL: seq / 10,
          alarms: [],
        });
      let published = 0;
      for (const pumpId of PUMPS)
        for (let seq = 1; seq <= SEQS_PER_PUMP; seq += 1) {
          await publish(pumpId, sample(seq));
          published += 1;
        }
      // Two repeats of a seq already sent, one payload that is not JSON, one that fails the schema.
      await publish('PROM-1', sample(2));
      await publish('PROM-2', sample(3));
      await publish('PROM-3', '{"v":1,"seq":');
      await publish('PROM-4', JSON.stringify({ v: 1, seq: 99, state: 'infusing' }));
      // Ingest is synchronous per message: the server's own figure is final once the broker acknowledged.
      await waitFor(() => server.stats.accepted + server.stats.duplicates >= published + 2, {
        what: 'the server to handle every publish',
      });

      expect(published).toBe(PUMPS.length * SEQS_PER_PUMP);
      expect(
        await scraped(prometheus, 'pumpwatch_ingest_samples_accepted_total{job="pumpwatch"}', published),
      ).toBe(server.stats.accepted);
      await scraped(prometheus, 'pumpwatch_ingest_samples_duplicate_total{job="pumpwatch"}', 2);
      await scraped(
        prometheus,
        'pumpwatch_ingest_messages_rejected_total{job="pumpwatch", reason="invalid_json"}',
        1,
      );
      await scraped(
        prometheus,
        'pumpwatch_ingest_messages_rejected_total{job="pumpwatch", reason="schema_invalid"}',
        1,
      );
      await scraped(prometheus, 'sum(pumpwatch_ingest_messages_rejected_total{job="pumpwatch"})', 2);
      await scraped(prometheus, 'pumpwatch_pumps{job="pumpwatch", state="online"}', PUMPS.length);
      // The hub never sent a status: it counts as offline (Last Will or never reported).
      await scraped(prometheus, 'pumpwatch_hubs{job="pumpwatch", state="offline"}', 1);
    } finally {
      await client.endAsync();
    }
  });

  it('is refused to a scrape with the wrong token, and the series carry no pump or hub id', async () => {
    expect(await prometheus.value('up{job="pumpwatch"}')).toBe(1);
    expect(await scraped(prometheus, 'up{job="pumpwatch-wrong-token"}', 0)).toBe(0);
    const series = await prometheus.api<Array<Record<string, string>>>(
      `/api/v1/series?${new URLSearchParams({ 'match[]': '{job="pumpwatch"}' })}`,
    );
    expect(series.length).toBeGreaterThan(40);
    const text = JSON.stringify(series);
    for (const id of [HUB, ...PUMPS]) expect(text).not.toContain(id);
  });

  it('scrapes a real gateway’s status port: connected, readings, outbox', async () => {
    gateway = await startTestGateway(server.mqttUrl, {
      hubId: 'hub-prom-gw',
      pumps: [{ pumpId: 'PROM-GW-1', driver: 'simulated', intervalMs: 200 }],
    });
    status = await startStatusServer(() => (gateway as Gateway).status(), {
      host: '127.0.0.1',
      port: gatewayStatusPort,
    });
    await scraped(prometheus, 'up{job="pumpwatch-gateway"}', 1);
    await scraped(prometheus, 'pumpwatch_gateway_connected{job="pumpwatch-gateway"}', 1);
    await scraped(prometheus, 'pumpwatch_gateway_pumps{job="pumpwatch-gateway", link="up"}', 1);
    await scraped(prometheus, 'pumpwatch_gateway_readings_total{job="pumpwatch-gateway"} > bool 0', 1);
    await scraped(prometheus, 'pumpwatch_gateway_outbox_dropped_total{job="pumpwatch-gateway"}', 0);
    // The server sees the gateway's hub come online beside the silent one.
    await scraped(prometheus, 'pumpwatch_hubs{job="pumpwatch", state="online"}', 1);
  });

  it('evaluates every operators’ alert rule without error against the real metrics', async () => {
    type Rule = { name: string; health: string; lastError?: string; state?: string; lastEvaluation: string };
    let rules: Rule[] = [];
    await waitFor(
      async () => {
        const data = await prometheus.api<{ groups: Array<{ rules: Rule[] }> }>('/api/v1/rules');
        rules = data.groups.flatMap((group) => group.rules);
        return rules.length > 0 && rules.every((rule) => !rule.lastEvaluation.startsWith('0001'));
      },
      { timeoutMs: 10_000, intervalMs: 250, what: 'every rule evaluated once' },
    );
    expect(
      rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError}`),
    ).toEqual([]);
    expect(rules.find((rule) => rule.name === 'PumpwatchServerDown')?.state).toBe('inactive');
    expect(rules.find((rule) => rule.name === 'PumpwatchMqttDisconnected')?.state).toBe('inactive');
  });
});
