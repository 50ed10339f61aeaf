import { mkdtempSync } from 'node:fs';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type HubCommitted,
  hubCommittedTopic,
  hubFloorSchema,
  hubFloorTopic,
  telemetrySampleSchema,
} from '@pumpwatch/protocol';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type GatewayConfigInput, gatewayConfigSchema } from '../src/config/schema.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { TickingSource } from './support/ticking-source.js';

const PREFIX = 'pumpwatch/v1';
const HUB = 'HUB-C';

/**
 * A real aedes broker and, in this unit test, a stand-in for the server's commit watermarks: it
 * records the seqs it was sent and publishes, when told, the contiguous watermark (as the server's
 * ConfirmationService does; test/e2e-confirm.test.ts runs the real one).
 */
async function startBrokerAndCommitter() {
  const broker = await Aedes.createBroker();
  const arrivals = new Map<string, number[]>();
  const floors: unknown[] = [];
  let epoch: string | undefined;
  broker.on('publish', (packet, client) => {
    if (!client) return;
    if (packet.topic === hubFloorTopic(PREFIX, HUB))
      floors.push(hubFloorSchema.parse(JSON.parse(packet.payload.toString())));
    const match = /\/pumps\/([^/]+)\/telemetry$/.exec(packet.topic);
    if (!match) return;
    const sample = telemetrySampleSchema.parse(JSON.parse(packet.payload.toString()));
    epoch = sample.epoch;
    const list = arrivals.get(match[1] as string) ?? [];
    list.push(sample.seq);
    arrivals.set(match[1] as string, list);
  });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const publish = (committed: HubCommitted) =>
    new Promise<void>((resolve, reject) =>
      broker.publish(
        {
          cmd: 'publish',
          topic: hubCommittedTopic(PREFIX, HUB),
          payload: Buffer.from(JSON.stringify(committed)),
          qos: 1,
          retain: true,
          dup: false,
        },
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  /** The contiguous run from 0 of the seqs received (or `through`), as of now. */
  const contiguous = (pumpId: string) => {
    const seen = new Set(arrivals.get(pumpId) ?? []);
    let through = -1;
    while (seen.has(through + 1)) through++;
    return through;
  };
  return {
    port: (server.address() as AddressInfo).port,
    arrivals,
    floors,
    epoch: () => epoch,
    contiguous,
    async commit(run: string, through?: Record<string, number>, asEpoch = epoch) {
      const pumps: HubCommitted['pumps'] = {};
      for (const pumpId of arrivals.keys()) {
        pumps[pumpId] = {
          seq: through?.[pumpId] ?? contiguous(pumpId),
          ...(asEpoch ? { epoch: asEpoch } : {}),
        };
      }
      await publish({ v: 1, run, ts: Date.now(), pumps });
    },
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

async function setup(confirm: GatewayConfigInput['confirm'] = {}) {
  const broker = await startBrokerAndCommitter();
  cleanups.push(() => broker.stop());
  const source = new TickingSource(20);
  const commands: Array<{ argv: readonly string[]; env: Record<string, string> }> = [];
  const config = gatewayConfigSchema.parse({
    hubId: HUB,
    mqtt: { url: `mqtt://127.0.0.1:${broker.port}`, reconnectPeriodMs: 100 },
    dataDir: mkdtempSync(join(tmpdir(), 'pumpwatch-gw-confirm-')),
    heartbeatMs: 60_000,
    confirm,
    pumps: [{ pumpId: 'P-1', driver: 'simulated' }],
  });
  const gateway: Gateway = createGateway(config, {
    sources: [source],
    runCommand: (argv, env) => commands.push({ argv, env }),
  });
  cleanups.push(() => gateway.stop());
  await gateway.start();
  return { broker, source, gateway, commands };
}

const total = (arrivals: Map<string, number[]>) =>
  [...arrivals.values()].reduce((n, list) => n + list.length, 0);

describe('end-to-end confirmation at the hub', () => {
  it('keeps PUBACKed samples until the watermark passes them, and sends each store epoch', async () => {
    const { broker, source, gateway } = await setup();
    await vi.waitFor(() => expect(total(broker.arrivals)).toBeGreaterThan(40), { timeout: 5000 });
    // The broker has acknowledged these, and still the hub holds them: nobody has committed them.
    expect(gateway.status().outbox.depth).toBeGreaterThanOrEqual(40);
    expect(broker.epoch()).toMatch(/^[A-Za-z0-9_-]{12}$/);
    source.pause();
    await vi.waitFor(() => expect(gateway.status().outbox.inFlight).toBe(0));
    await broker.commit('run-1');
    await vi.waitFor(() => expect(gateway.status().outbox.depth).toBe(0));
    expect(gateway.status().confirmation).toMatchObject({ mode: 'server', serverRun: 'run-1' });
  });

  it('frees nothing on a watermark of another epoch', async () => {
    const { broker, source, gateway } = await setup();
    await vi.waitFor(() => expect(total(broker.arrivals)).toBeGreaterThan(10), { timeout: 5000 });
    source.pause();
    await vi.waitFor(() => expect(gateway.status().outbox.inFlight).toBe(0));
    const held = gateway.status().outbox.depth;
    // A watermark for the store this hub had before its data directory was wiped says nothing of this one.
    await broker.commit('run-1', undefined, 'an-old-epoch');
    await vi.waitFor(() => expect(gateway.status().confirmation?.serverRun).toBe('run-1'));
    expect(gateway.status().outbox.depth).toBe(held);
    await broker.commit('run-1');
    await vi.waitFor(() => expect(gateway.status().outbox.depth).toBe(0));
    expect(held).toBeGreaterThan(10);
  });

  it('re-sends everything above the watermark, after its floor, when the server restarted', async () => {
    const { broker, source, gateway } = await setup();
    await vi.waitFor(() => expect(total(broker.arrivals)).toBeGreaterThan(40), { timeout: 5000 });
    source.pause();
    await vi.waitFor(() => expect(gateway.status().outbox.inFlight).toBe(0));
    // The old run committed up to seq 5 of each pump, then died with the rest in memory.
    await broker.commit('run-1', { 'P-1': 5, 'P-2': 5 });
    await vi.waitFor(() => expect(gateway.status().confirmation?.serverRun).toBe('run-1'));
    const sentBefore = broker.arrivals.get('P-1')?.length ?? 0;
    const highest = Math.max(...(broker.arrivals.get('P-1') ?? []));
    await broker.commit('run-2', { 'P-1': 5, 'P-2': 5 });
    await vi.waitFor(() => expect(broker.arrivals.get('P-1')?.length).toBe(sentBefore + highest - 5));
    const resent = broker.arrivals.get('P-1')?.slice(sentBefore);
    expect(resent).toEqual(Array.from({ length: highest - 5 }, (_, i) => i + 6));
    expect(broker.floors.at(-1)).toMatchObject({ v: 1, pumps: { 'P-1': 6, 'P-2': 6 } });
    await broker.commit('run-2');
    await vi.waitFor(() => expect(gateway.status().outbox.depth).toBe(0));
  });

  it('enters "monitoring not confirmed" once while nobody confirms, and leaves it when confirmation resumes', async () => {
    const { broker, gateway, commands } = await setup({
      alarm: { afterMs: 1500, command: ['/bin/true', 'alarm'], clearCommand: ['/bin/true', 'clear'] },
    });
    await broker.commit('run-1');
    await vi.waitFor(() => expect(gateway.status().confirmation?.state).toBe('not_confirmed'), {
      timeout: 6000,
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(commands).toEqual([
      {
        argv: ['/bin/true', 'alarm'],
        env: { PUMPWATCH_HUB_ID: HUB, PUMPWATCH_CONFIRMATION: 'not_confirmed' },
      },
    ]);
    await broker.commit('run-1');
    await vi.waitFor(() => expect(gateway.status().confirmation?.state).toBe('confirmed'), { timeout: 4000 });
    expect(commands.map((c) => c.argv[1])).toEqual(['alarm', 'clear']);
    expect(gateway.status().confirmation?.episodes).toBe(1);
  }, 20_000);

  it('falls back to PUBACK when the server has never sent a watermark (an older server)', async () => {
    const { broker, source, gateway } = await setup({ fallbackAfterMs: 1000 });
    await vi.waitFor(() => expect(total(broker.arrivals)).toBeGreaterThan(20), { timeout: 5000 });
    await vi.waitFor(() => expect(gateway.status().confirmation?.mode).toBe('broker'), { timeout: 5000 });
    source.pause();
    await vi.waitFor(() => expect(gateway.status().outbox.depth).toBe(0));
  });

  it('never falls back in mode "server"', async () => {
    const { broker, gateway } = await setup({ mode: 'server', fallbackAfterMs: 1000 });
    await vi.waitFor(() => expect(total(broker.arrivals)).toBeGreaterThan(20), { timeout: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(gateway.status().confirmation?.mode).toBe('awaiting');
    expect(gateway.status().outbox.depth).toBeGreaterThan(20);
  });
});
