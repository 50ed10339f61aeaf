import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HeartbeatPinger } from '../src/confirm/heartbeat.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback stand-in for a healthchecks-style service: counts the pings it gets. */
async function checkService(status = 200) {
  const pings: string[] = [];
  server = createServer((request, response) => {
    pings.push(request.url ?? '');
    response.writeHead(status).end('OK');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping/abc-123`, pings };
}

describe('the dead man’s switch (heartbeat.url)', () => {
  it('pings while healthy, withholds while not, and counts failures', async () => {
    const service = await checkService();
    let healthy = { ok: true } as { ok: boolean; reason?: string };
    const pinger = new HeartbeatPinger({
      url: service.url,
      intervalMs: 60_000,
      timeoutMs: 2000,
      healthy: async () => healthy,
      logger: pino({ level: 'silent' }),
    });
    await pinger.beat();
    await pinger.beat();
    expect(service.pings).toEqual(['/ping/abc-123', '/ping/abc-123']);
    healthy = { ok: false, reason: 'the alert engine has not ticked' };
    await pinger.beat();
    expect(service.pings).toHaveLength(2);
    expect(pinger.snapshot()).toMatchObject({ sent: 2, withheld: 1, failed: 0 });
  });

  it('counts a non-2xx answer or an unreachable service as failed, never throws', async () => {
    const service = await checkService(500);
    const pinger = new HeartbeatPinger({
      url: service.url,
      intervalMs: 60_000,
      timeoutMs: 2000,
      healthy: async () => ({ ok: true }),
      logger: pino({ level: 'silent' }),
    });
    await pinger.beat();
    const unreachable = new HeartbeatPinger({
      url: 'http://127.0.0.1:9/nothing',
      intervalMs: 60_000,
      timeoutMs: 500,
      healthy: async () => ({ ok: true }),
      logger: pino({ level: 'silent' }),
    });
    await unreachable.beat();
    expect(pinger.snapshot()).toMatchObject({ sent: 0, failed: 1 });
    expect(unreachable.snapshot()).toMatchObject({ sent: 0, failed: 1 });
  });
});
