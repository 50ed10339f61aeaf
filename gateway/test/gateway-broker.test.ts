import { mkdtempSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hubStatusTopic, pumpLinkSchema, pumpLinkTopic, telemetrySampleSchema } from '@pumpwatch/protocol';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { gatewayConfigSchema } from '../src/config/schema.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { TickingSource } from './support/ticking-source.js';

/** A real aedes broker on loopback; `stop` drops every connection as a crashed broker would. */
async function startBroker(port: number, onPublish: (topic: string, payload: string) => void) {
  const broker = await Aedes.createBroker();
  broker.on('publish', (packet, client) => {
    if (client) onPublish(packet.topic, packet.payload.toString());
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('gateway against a real broker', () => {
  it('delivers every seq exactly once after dedup, in order, across a broker outage', async () => {
    const arrivals = new Map<string, number[]>();
    const statuses: Array<{ online: boolean; outbox?: { depth: number; dropped: number } }> = [];
    const links: Array<{ topic: string; state: string }> = [];
    const onPublish = (topic: string, payload: string) => {
      const match = /\/pumps\/([^/]+)\/telemetry$/.exec(topic);
      if (match?.[1]) {
        const sample = telemetrySampleSchema.parse(JSON.parse(payload));
        arrivals.set(match[1], [...(arrivals.get(match[1]) ?? []), sample.seq]);
      } else if (topic === hubStatusTopic('pumpwatch/v1', 'HUB-T')) {
        statuses.push(JSON.parse(payload));
      } else if (topic.endsWith('/link')) {
        links.push({ topic, state: pumpLinkSchema.parse(JSON.parse(payload)).state });
      }
    };
    let broker = await startBroker(0, onPublish);
    const port = broker.port;
    cleanups.push(() => broker.stop());

    const source = new TickingSource();
    const config = gatewayConfigSchema.parse({
      hubId: 'HUB-T',
      mqtt: { url: `mqtt://127.0.0.1:${port}`, reconnectPeriodMs: 100 },
      dataDir: mkdtempSync(join(tmpdir(), 'pumpwatch-gw-broker-')),
      heartbeatMs: 60_000,
      outbox: { maxInFlight: 16 },
      // No server here, only a broker: the PUBACK path of an older server (gateway-confirm.test.ts has the rest).
      confirm: { mode: 'broker' },
      pumps: [{ pumpId: 'P-1', driver: 'simulated' }],
    });
    const gateway: Gateway = createGateway(config, { sources: [source] });
    cleanups.push(() => gateway.stop());
    await gateway.start();

    await vi.waitFor(() => expect(arrivals.get('P-2')?.length ?? 0).toBeGreaterThan(20), { timeout: 3000 });
    await broker.stop();
    await vi.waitFor(() => expect(gateway.status().connected).toBe(false), { timeout: 2000 });
    await sleep(2500);
    expect(gateway.status().outbox.depth).toBeGreaterThan(50);

    broker = await startBroker(port, onPublish);
    await vi.waitFor(() => expect(gateway.status().connected).toBe(true), { timeout: 3000 });
    await sleep(300);
    source.pause();
    await vi.waitFor(() => expect(gateway.status().outbox.depth).toBe(0), { timeout: 5000 });

    const status = gateway.status();
    for (const pumpId of source.pumpIds) {
      const seqs = arrivals.get(pumpId) ?? [];
      const firstArrivals = seqs.filter((seq, i) => seqs.indexOf(seq) === i);
      const lastSeq = status.pumps[pumpId]?.lastSeq ?? -1;
      expect(lastSeq).toBeGreaterThan(100);
      expect(firstArrivals).toEqual([...Array(lastSeq + 1).keys()]);
    }
    const onlines = statuses.filter((s) => s.online);
    expect(onlines).toHaveLength(2);
    // The second online status, sent on reconnect, reports the backlog the outage left.
    expect(onlines[1]?.outbox?.depth).toBeGreaterThan(50);
    // Link state is retained state: republished on each connect.
    const p1Link = pumpLinkTopic('pumpwatch/v1', 'HUB-T', 'P-1');
    expect(links.filter((l) => l.topic === p1Link).map((l) => l.state)).toEqual(['up', 'up']);
    expect(status.outbox.dropped).toBe(0);
    expect(status.lastPublishAt).not.toBeNull();

    await gateway.stop();
    expect(statuses.at(-1)).toMatchObject({ online: false });
  }, 10_000);

  it('keeps the backlog and continues seq across a gateway restart without a broker', async () => {
    const arrivals: number[] = [];
    const probe = await startBroker(0, () => {});
    const port = probe.port;
    await probe.stop();

    const config = gatewayConfigSchema.parse({
      hubId: 'HUB-R',
      mqtt: { url: `mqtt://127.0.0.1:${port}`, reconnectPeriodMs: 100 },
      dataDir: mkdtempSync(join(tmpdir(), 'pumpwatch-gw-restart-')),
      confirm: { mode: 'broker' },
      pumps: [{ pumpId: 'P-1', driver: 'simulated' }],
    });
    const offline = createGateway(config, { sources: [new TickingSource()] });
    await offline.start();
    await sleep(300);
    await offline.stop();
    const backlog = offline.status().outbox.depth;
    const lastSeqBefore = offline.status().pumps['P-1']?.lastSeq ?? -1;
    expect(backlog).toBeGreaterThan(10);

    const broker = await startBroker(port, (topic, payload) => {
      if (topic.endsWith('/pumps/P-1/telemetry')) arrivals.push(JSON.parse(payload).seq);
    });
    cleanups.push(() => broker.stop());
    const source = new TickingSource();
    const online = createGateway(config, { sources: [source] });
    cleanups.push(() => online.stop());
    await online.start();
    expect(online.status().pumps['P-1']?.lastSeq).toBe(lastSeqBefore);
    await sleep(200);
    source.pause();
    await vi.waitFor(() => expect(online.status().outbox.depth).toBe(0), { timeout: 5000 });

    const lastSeq = online.status().pumps['P-1']?.lastSeq ?? -1;
    expect(lastSeq).toBeGreaterThan(lastSeqBefore);
    expect(arrivals.filter((seq, i) => arrivals.indexOf(seq) === i)).toEqual([...Array(lastSeq + 1).keys()]);
  }, 10_000);
});
