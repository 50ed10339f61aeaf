/**
 * `npm run bench:frames`: what pump frames cost the server, one frame per pump (as before the `pumps`
 * frame; batch 1) against changed pumps batched per flush, measured in the same run. Every pump is
 * marked changed once a second, as 1 Hz telemetry does, and the server's CPU time (process.cpuUsage)
 * over the window is divided by the pump changes one client received (each change goes to every
 * client). The clients live in a child process and parse every frame, like dashboards; a client that
 * receives fewer than `pumps` updates a second is falling behind.
 *
 *   npm run bench:frames -- [--pumps 20000] [--clients 1,5] [--seconds 10] [--batches 1,500]
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import {
  composeWard,
  defaultEngineParams,
  defaultEscalationPolicy,
  IngestStats,
  openMemoryStore,
  WsHub,
} from '@pumpwatch/server';
import { pino } from 'pino';
import { Forked } from './support/forked.js';

const { values } = parseArgs({
  options: {
    pumps: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '1,5' },
    seconds: { type: 'string', default: '10' },
    batches: { type: 'string', default: '1,500' },
  },
});
const pumps = Number(values.pumps);
const seconds = Number(values.seconds);
const clientCounts = values.clients.split(',').map(Number);
const batches = values.batches.split(',').map(Number);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(batch: number, clients: number) {
  const hub = new WsHub({
    path: '/ws',
    heartbeatMs: 5000,
    now: Date.now,
    snapshot: () => ({ type: 'snapshot', pumps: [], alerts: [] }),
    authorize: async () => ({ stillAuthorized: () => true }),
  });
  // The server's ward on the memory store: real rules and registry, nothing written anywhere.
  const ward = composeWard({
    params: defaultEngineParams,
    policy: defaultEscalationPolicy,
    tiers: [],
    notifiers: [],
    store: openMemoryStore(),
    stats: new IngestStats(),
    now: Date.now,
    logger: pino({ level: 'silent' }),
    onError: () => undefined,
    onAlertError: () => undefined,
    pumpFrameIntervalMs: 1000,
  });
  const frames = ward.attachBroadcast((frame) => hub.broadcast(frame), batch);
  const sample = {
    v: 1 as const,
    seq: 1,
    ts: Date.now(),
    state: 'infusing' as const,
    rate_mL_h: 50,
    vi_mL: 1,
    alarms: [],
  };
  for (let i = 0; i < pumps; i += 1)
    ward.shell.onSample(`hub-${i % 1000}`, `PUMP-${i}`, { ...sample, seq: 1 });
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  hub.attach(http);
  const { port } = http.address() as AddressInfo;
  const { child } = await Forked.start('scripts/support/ws-listeners.ts', [
    `ws://127.0.0.1:${port}/ws`,
    String(clients),
  ]);
  // Liveness plays no part: the ward's tick is not started.
  frames.start();
  const markAll = () => {
    const changed: string[] = [];
    for (let i = 0; i < pumps; i += 1) changed.push(`PUMP-${i}`);
    ward.bus.emit('pumpsChanged', changed);
  };
  markAll();
  await sleep(2000);
  const before = (await child.ask({ type: 'count' }, 'count')) as unknown as {
    updates: number;
    frames: number;
  };
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  for (let s = 0; s < seconds; s += 1) {
    markAll();
    await sleep(1000);
  }
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedS = (performance.now() - startedAt) / 1000;
  await sleep(1500);
  const after = (await child.ask({ type: 'count' }, 'count')) as unknown as {
    updates: number;
    frames: number;
  };
  frames.stop();
  await child.stop();
  await hub.close();
  await new Promise((resolve) => http.close(resolve));
  const updates = (after.updates - before.updates) / clients;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    batch,
    clients,
    'pump updates/s per client': Math.round(updates / elapsedS),
    'frames/s per client': Math.round((after.frames - before.frames) / clients / elapsedS),
    'server CPU % of a core': Math.round((cpuMs / 10 / elapsedS) * 10) / 10,
    'server µs per pump change': Math.round(((cpuMs * 1000) / (updates || 1)) * 100) / 100,
  };
}

const rows = [];
for (const clients of clientCounts) {
  for (const batch of batches) {
    process.stdout.write(
      `measuring ${pumps} pumps at 1 Hz, ${clients} client(s), batch ${batch}, ${seconds} s…\n`,
    );
    rows.push(await measure(batch, clients));
  }
}
console.table(rows);
