import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

/** Debian's `victoria-metrics` package (single node); it accepts InfluxDB line protocol on /api/v2/write. */
const VICTORIA_METRICS = ['/usr/bin/victoria-metrics', '/usr/sbin/victoria-metrics'];

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

export interface RunningVictoriaMetrics {
  url: string;
  /** Every raw sample of the series matching `match` (a series selector), via `/api/v1/export`. */
  exportSeries(match: string): Promise<ExportedSeries[]>;
  stop(): Promise<void>;
}

/** Starts a real VictoriaMetrics on a free loopback port with a temporary data directory. */
export async function startVictoriaMetrics(): Promise<RunningVictoriaMetrics> {
  const binary = VICTORIA_METRICS.find((candidate) => existsSync(candidate));
  if (!binary) {
    throw new Error(
      'victoria-metrics not found: install Debian package victoria-metrics (scripts/ensure-system-deps.sh)',
    );
  }
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'pw-vm-'));
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${dataDir}`,
      '-retentionPeriod=100y',
      '-loggerLevel=ERROR',
      // Other ingestion listeners (graphite, opentsdb, influx UDP) stay off: they are off unless set.
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
  await waitFor(
    async () => {
      if (exited) throw new Error(`victoria-metrics exited: ${stderr}`);
      const response = await fetch(`${url}/health`).catch(() => undefined);
      return response?.ok === true;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: `victoria-metrics on port ${port}` },
  );
  return {
    url,
    async exportSeries(match) {
      // Recently written rows become searchable after a few seconds unless flushed (test-only endpoint).
      await fetch(`${url}/internal/force_flush`);
      const response = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': match })}`);
      if (!response.ok) throw new Error(`export failed (${response.status}): ${await response.text()}`);
      const text = await response.text();
      return text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as ExportedSeries);
    },
    async stop() {
      if (!exited) {
        const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await done;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
