import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PumpwatchServer } from '@pumpwatch/server';
import { afterAll, describe, expect, it } from 'vitest';
import { getJson, startTestServer } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/** Issue 15: the server's outbound heartbeat reaches a healthchecks-style service (here on loopback). */
describe('dead man’s switch', () => {
  const pings: number[] = [];
  const service = createServer((_request, response) => {
    pings.push(Date.now());
    response.end('OK');
  });
  let server: PumpwatchServer | undefined;
  afterAll(async () => {
    await server?.stop();
    service.closeAllConnections();
    await new Promise<void>((resolve) => service.close(() => resolve()));
  });

  it('pings every interval while broker, store and engine are healthy, and says so in /api/health', async () => {
    service.listen(0, '127.0.0.1');
    await once(service, 'listening');
    const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/ping/0b6c9c1e`;
    server = await startTestServer({ heartbeat: { url, intervalMs: 1000 } });
    await waitFor(() => pings.length >= 3, { timeoutMs: 15_000, what: 'three pings' });
    const gaps = pings.slice(1).map((t, i) => t - (pings[i] as number));
    expect(Math.min(...gaps)).toBeGreaterThan(500);
    const health = await getJson<{ heartbeat: { sent: number; failed: number } }>(
      `${server.httpUrl}/api/health`,
    );
    expect(health.body.heartbeat.sent).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(health.body)).not.toContain('0b6c9c1e');
  });
});
