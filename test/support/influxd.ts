import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

/** Debian's `influxdb` package (1.6.7: the v1 HTTP API only). */
const INFLUXD = ['/usr/bin/influxd', '/usr/sbin/influxd'];

export interface InfluxdOptions {
  /** `[http] auth-enabled`: then `adminUser` is created through the API before anyone else connects. */
  auth?: { username: string; password: string };
}

export interface RunningInfluxd {
  url: string;
  port: number;
  dataDir: string;
  /** InfluxQL through `/query`; throws on an HTTP or statement error. */
  query(q: string, db?: string): Promise<InfluxSeries[]>;
  createDatabase(name: string): Promise<void>;
  /** Points of `measurement` per `pump` tag (`count(seq)`). */
  countPerPump(db: string, measurement?: string): Promise<Record<string, number>>;
  /** Stops the process (SIGTERM) and keeps its data directory, so `start` brings the same data back. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  dispose(): Promise<void>;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/**
 * Starts a real influxd on free loopback ports (HTTP and the backup RPC service) with a temporary data
 * directory and a config of its own: reporting off, no internal monitor database, quiet logs.
 */
export async function startInfluxd(options: InfluxdOptions = {}): Promise<RunningInfluxd> {
  const binary = INFLUXD.find((candidate) => existsSync(candidate));
  if (!binary)
    throw new Error('influxd not found: install Debian package influxdb (scripts/ensure-system-deps.sh)');
  const [port, rpcPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'pw-influxd-'));
  const configFile = join(dataDir, 'influxdb.conf');
  writeFileSync(
    configFile,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${join(dataDir, 'meta')}"`,
      '[data]',
      `  dir = "${join(dataDir, 'data')}"`,
      `  wal-dir = "${join(dataDir, 'wal')}"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      `  auth-enabled = ${options.auth ? 'true' : 'false'}`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '[logging]',
      '  level = "warn"',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  const authHeader = options.auth
    ? {
        authorization: `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`,
      }
    : undefined;

  let child: ChildProcess | undefined;
  let exited = true;
  let stderr = '';
  const start = async () => {
    if (!exited) return;
    stderr = '';
    const proc = spawn(binary, ['-config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    exited = false;
    proc.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    proc.on('exit', () => {
      exited = true;
    });
    await waitFor(
      async () => {
        if (exited) throw new Error(`influxd exited: ${stderr}`);
        const response = await fetch(`${url}/ping`).catch(() => undefined);
        return response?.status === 204;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `influxd on port ${port}` },
    );
  };
  const stop = async () => {
    if (exited || !child) return;
    const done = new Promise<void>((resolve) => child?.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child?.kill('SIGKILL'), 15_000);
    await done;
    clearTimeout(timer);
  };

  const query = async (q: string, db?: string): Promise<InfluxSeries[]> => {
    const params = new URLSearchParams({ q, epoch: 'ms', ...(db ? { db } : {}) });
    const response = await fetch(`${url}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...authHeader },
      body: params.toString(),
    });
    const body = (await response.json()) as {
      error?: string;
      results?: Array<{ error?: string; series?: InfluxSeries[] }>;
    };
    if (!response.ok || body.error)
      throw new Error(`influx query failed (${response.status}): ${body.error}`);
    const error = body.results?.find((result) => result.error)?.error;
    if (error) throw new Error(`influx query failed: ${error}`);
    return body.results?.flatMap((result) => result.series ?? []) ?? [];
  };

  await start();
  if (options.auth) {
    // Allowed without credentials while no user exists (InfluxDB 1.x bootstrap).
    const { username, password } = options.auth;
    const response = await fetch(`${url}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        q: `CREATE USER "${username}" WITH PASSWORD '${password}' WITH ALL PRIVILEGES`,
      }).toString(),
    });
    if (!response.ok) throw new Error(`cannot create the influx admin user: ${await response.text()}`);
  }

  return {
    url,
    port,
    dataDir,
    query,
    async createDatabase(name) {
      await query(`CREATE DATABASE "${name}"`);
    },
    async countPerPump(db, measurement = 'pump_telemetry') {
      const series = await query(`SELECT count("seq") FROM "${measurement}" GROUP BY "pump"`, db);
      const counts: Record<string, number> = {};
      for (const one of series) counts[one.tags?.pump ?? ''] = Number(one.values[0]?.[1] ?? 0);
      return counts;
    },
    stop,
    start,
    async dispose() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
