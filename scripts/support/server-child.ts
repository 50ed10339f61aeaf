import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, rssOf, waitFor } from './proc.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerChildOptions {
  /** External broker; without it the server embeds aedes on a free port. */
  mqttUrl?: string;
  /** Write a V8 CPU profile of the server into this directory when it stops (node --cpu-prof). */
  cpuProfileDir?: string;
  env?: Record<string, string>;
}

export interface ServerChild {
  httpUrl: string;
  mqttUrl: string;
  pid: number;
  rss(): number;
  /** `GET /api/health` → ingest counters. */
  ingest(): Promise<{ accepted: number; duplicates: number; rejected: Record<string, number> }>;
  stop(): Promise<void>;
}

/**
 * The real server (`server/src/main.ts`) as its own process, so its RSS and CPU are its own and not the
 * load generator's; loopback only, a fresh data directory, authentication off (the benchmark measures
 * ingest, not login).
 */
export async function startServerChild(options: ServerChildOptions = {}): Promise<ServerChild> {
  const httpPort = await freePort();
  const mqttPort = await freePort();
  const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-bench-server-')), 'data');
  const args = [
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
    '--import',
    'tsx',
    'server/src/main.ts',
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      PUMPWATCH_HTTP_HOST: '127.0.0.1',
      PUMPWATCH_HTTP_PORT: String(httpPort),
      PUMPWATCH_MQTT_PORT: String(mqttPort),
      PUMPWATCH_DATA_DIR: dataDir,
      PUMPWATCH_LOG_LEVEL: 'warn',
      PUMPWATCH_AUTH_MODE: 'disabled',
      ...(options.mqttUrl ? { PUMPWATCH_MQTT_URL: options.mqttUrl } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const health = async () => {
    const response = await fetch(`${httpUrl}/api/health`);
    return (await response.json()) as {
      status: string;
      ingest: { accepted: number; duplicates: number; rejected: Record<string, number> };
    };
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${output}`);
        return (await health()).status === 'ok';
      },
      { timeoutMs: 60_000, intervalMs: 200, what: 'the server to be healthy' },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    httpUrl,
    mqttUrl: options.mqttUrl ?? `mqtt://127.0.0.1:${mqttPort}`,
    pid: child.pid as number,
    rss: () => rssOf(child.pid as number),
    ingest: async () => (await health()).ingest,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
