import { chmodSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { telemetryTopic } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { hubSample } from './support/samples.js';
import { getJson, startTestServer, tempDataDir } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/** Mode bits (octal text) of every file and directory under `dir`, by path relative to it. */
function modesUnder(dir: string): Record<string, string> {
  const modes: Record<string, string> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    modes[path.slice(dir.length + 1)] = (statSync(path).mode & 0o777).toString(8);
  }
  return modes;
}

const everyFile600 = (modes: Record<string, string>) =>
  Object.entries(modes).every(([, mode]) => mode === '600' || mode === '700');

/** Issue #11: DuckDB files were written 0644, readable by every user of the machine. */
describe('data directory modes', () => {
  const dataDir = tempDataDir();
  let server: PumpwatchServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it('makes the data directory 0700 and every file the server writes in it 0600, and migrates an older one', async () => {
    server = await startTestServer({ dataDir });
    const client = await mqtt.connectAsync(server.mqttUrl);
    for (let seq = 1; seq <= 20; seq++) {
      await client.publishAsync(
        telemetryTopic('pumpwatch/v1', 'HUB-1', 'PUMP-1'),
        JSON.stringify(hubSample(seq, seq === 20 ? { pressure_mmHg: 320, alarms: ['occlusion'] } : {})),
        { qos: 1 },
      );
    }
    await client.endAsync(true);
    const httpUrl = server.httpUrl;
    await waitFor(async () => (await getJson<unknown[]>(`${httpUrl}/api/alerts`)).body.length > 0, {
      what: 'the occlusion alert, stored',
    });
    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    // The write-ahead logs appear with the writes; the watcher restricts them as they do.
    await waitFor(
      () => {
        const modes = modesUnder(dataDir);
        return Object.keys(modes).some((path) => path.endsWith('.wal')) && everyFile600(modes);
      },
      { timeoutMs: 10_000, what: 'the .wal files, 0600' },
    );
    await server.stop();
    server = undefined;
    const written = modesUnder(dataDir);
    expect(Object.keys(written)).toEqual(
      expect.arrayContaining(['pumpwatch.duckdb', 'alerts.duckdb', 'token-secret']),
    );
    for (const [path, mode] of Object.entries(written)) expect({ path, mode }).toEqual({ path, mode: '600' });

    // A directory an older server left 0755 with 0644 files is made private at the next start.
    chmodSync(dataDir, 0o755);
    for (const path of Object.keys(written)) chmodSync(join(dataDir, path), 0o644);
    server = await startTestServer({ dataDir });
    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    for (const [path, mode] of Object.entries(modesUnder(dataDir)))
      expect({ path, mode }).toEqual({ path, mode: '600' });
  });
});
