import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type PumpwatchServer, parseServerConfig, startPumpwatchServer } from '@pumpwatch/server';
import { pino } from 'pino';

export interface ServerHarnessOptions {
  /** External broker; without it the server embeds aedes on a free port. */
  mqttUrl?: string;
  dataDir?: string;
  pumpOfflineAfterMs?: number;
}

/** Starts a real server in this process on free loopback ports with a fresh data directory. */
export async function startTestServer(options: ServerHarnessOptions = {}): Promise<PumpwatchServer> {
  const config = parseServerConfig({
    http: { host: '127.0.0.1', port: 0 },
    mqtt: {
      embeddedHost: '127.0.0.1',
      embeddedPort: 0,
      ...(options.mqttUrl ? { url: options.mqttUrl } : {}),
    },
    dataDir: options.dataDir ?? join(mkdtempSync(join(tmpdir(), 'pw-server-')), 'data'),
    ...(options.pumpOfflineAfterMs ? { pumpOfflineAfterMs: options.pumpOfflineAfterMs } : {}),
    logLevel: 'warn',
  });
  return startPumpwatchServer(config, { logger: pino({ level: process.env.PUMPWATCH_TEST_LOG ?? 'warn' }) });
}

export async function getJson<T = unknown>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

export async function postJson<T = unknown>(
  url: string,
  payload: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as T };
}
