/**
 * npm run bench:gateway [-- --pumps 20 --seconds 60 --outage-minutes 10 --no-footprint]
 *
 * 1. CPU and RSS of the gateway process with N serial pumps at 1 Hz: N simulated pumps write PW1
 *    frames into N socat PTY pairs; the real gateway (child process, `node --import tsx
 *    gateway/src/main.ts`, as `npm run gateway` runs it) reads them and publishes to an aedes broker in
 *    this process. After a warm-up, CPU = Δ(utime + stime) / Δwall from /proc/<pid>/stat over the
 *    window; RSS from /proc/<pid>/status (VmRSS sampled every second, VmHWM at the end).
 * 2. Outbox drain after an outage: with the gateway stopped, N × outage-minutes × 60 samples (1 Hz per
 *    pump, the backlog such an outage leaves) are appended to its outbox with its own OutboxStore; the
 *    gateway is started again, pumps still streaming, and the time until the broker has received every
 *    backlog sample gives the drain rate.
 *    Phases 1 and 2 run the gateway with `confirm.mode: broker` (PUBACK frees samples): the "before".
 * 3. After (issue 15): the real server (child process, embedded aedes) confirms commits. The time from
 *    reading a sample (its `hubTs`) to the watermark that covers it reaching the broker's subscribers
 *    gives the end-to-end confirmation latency (p50 / p99); then the same backlog is appended and the
 *    time until the server has confirmed all of it gives the confirmed drain rate.
 * 4. The compiled hub's footprint (issue 17: 50 simulated pumps at 1 Hz, ≤ 80 MB RSS and ≤ 5 % of one
 *    core): scripts/bench-gateway-footprint.ts, run as a child process after the rest (--no-footprint
 *    skips it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildScenario, createPumpFromScenario } from '@pumpwatch/simulators';
import { SerialPump } from '@pumpwatch/simulators/serial';
import { Aedes } from 'aedes';
import { stringify } from 'yaml';
import { appendBacklog, percentile, watchConfirmations } from './support/confirm-phase.js';
import {
  CLK_TCK,
  cpuTicks,
  procStatusBytes,
  startGateway,
  stopGateway,
  tsxGatewayArgs,
} from './support/gateway-child.js';
import { startServerChild } from './support/server-child.js';

const { values } = parseArgs({
  options: {
    pumps: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    'warmup-seconds': { type: 'string', default: '10' },
    'outage-minutes': { type: 'string', default: '10' },
    'no-footprint': { type: 'boolean', default: false },
  },
});
const PUMPS = Number(values.pumps);
const WINDOW_S = Number(values.seconds);
const WARMUP_S = Number(values['warmup-seconds']);
const OUTAGE_MIN = Number(values['outage-minutes']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-gw-'));
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    // Broker, counting what arrives.
    const broker = await Aedes.createBroker();
    let received = 0;
    let backlogReceived = 0;
    let backlogBefore = 0;
    let firstBacklogAt = 0;
    let lastBacklogAt = 0;
    broker.on('publish', (packet, client) => {
      if (!client || !packet.topic.endsWith('/telemetry')) return;
      received++;
      if (JSON.parse(packet.payload.toString()).ts < backlogBefore) {
        backlogReceived++;
        lastBacklogAt = performance.now();
        if (backlogReceived === 1) firstBacklogAt = lastBacklogAt;
      }
    });
    const tcp = createServer(broker.handle);
    tcp.listen(0, '127.0.0.1');
    await once(tcp, 'listening');
    const port = (tcp.address() as AddressInfo).port;
    cleanups.push(() => new Promise<void>((resolve) => broker.close(() => tcp.close(() => resolve()))));

    // PTY pairs and pumps.
    const sockets: ChildProcess[] = [];
    const pumps: SerialPump[] = [];
    for (let i = 0; i < PUMPS; i++) {
      const [a, b] = [join(dir, `p${i}-pump`), join(dir, `p${i}-gw`)];
      const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
        stdio: 'ignore',
      });
      sockets.push(socat);
      while (!existsSync(a) || !existsSync(b)) await sleep(10);
      const model = createPumpFromScenario(buildScenario('normal', { rate_mL_h: 20 + i }), {
        seed: i + 1,
        startTs: Date.now(),
      });
      const pump = new SerialPump({ path: a, model, intervalMs: 1000 });
      await pump.start();
      pumps.push(pump);
    }
    cleanups.push(async () => {
      for (const pump of pumps) await pump.stop();
      for (const socat of sockets) socat.kill('SIGTERM');
    });

    const dataDir = join(dir, 'data');
    const pumpIds = Array.from({ length: PUMPS }, (_, i) => `PUMP-B${String(i).padStart(3, '0')}`);
    const serialPumps = pumpIds.map((pumpId, i) => ({
      pumpId,
      driver: 'serial',
      path: join(dir, `p${i}-gw`),
    }));
    const configFile = join(dir, 'gateway.yaml');
    writeFileSync(
      configFile,
      stringify({
        hubId: 'HUB-BENCH',
        mqtt: { url: `mqtt://127.0.0.1:${port}` },
        dataDir,
        status: { enabled: false },
        // Phases 1 and 2 have a broker and no server: PUBACK frees samples, as before watermarks.
        confirm: { mode: 'broker' },
        pumps: serialPumps,
      }),
    );

    // 1. CPU and RSS at steady state.
    let gateway = await startGateway(tsxGatewayArgs(configFile));
    cleanups.push(() => stopGateway(gateway));
    await sleep(WARMUP_S * 1000);
    const pid = gateway.pid as number;
    const rss: number[] = [];
    const cpu0 = cpuTicks(pid);
    const wall0 = performance.now();
    const received0 = received;
    for (let s = 0; s < WINDOW_S; s++) {
      await sleep(1000);
      rss.push(procStatusBytes(pid, 'VmRSS'));
    }
    const cpuSeconds = (cpuTicks(pid) - cpu0) / CLK_TCK;
    const wallSeconds = (performance.now() - wall0) / 1000;
    const hwm = procStatusBytes(pid, 'VmHWM');
    const rate = (received - received0) / wallSeconds;
    console.log(
      `gateway with ${PUMPS} serial pumps at 1 Hz over ${Math.round(wallSeconds)} s (after ${WARMUP_S} s warm-up):`,
    );
    console.log(`  received by the broker: ${rate.toFixed(1)} samples/s`);
    console.log(
      `  CPU: ${((cpuSeconds / wallSeconds) * 100).toFixed(2)} % of one core (${cpuSeconds.toFixed(2)} s in ${wallSeconds.toFixed(1)} s)`,
    );
    console.log(
      `  RSS: ${mb(Math.min(...rss))}–${mb(Math.max(...rss))} MiB during the window, peak (VmHWM) ${mb(hwm)} MiB`,
    );

    // 2. Drain after an outage.
    await stopGateway(gateway);
    const backlog = PUMPS * OUTAGE_MIN * 60;
    const appended = await appendBacklog(dataDir, pumpIds, OUTAGE_MIN);
    backlogBefore = appended.before;
    const depth = appended.depth;
    const spawned = performance.now();
    gateway = await startGateway(tsxGatewayArgs(configFile));
    const startedAt = performance.now();
    while (backlogReceived < backlog && performance.now() - spawned < 600_000) await sleep(20);
    const fromSpawn = (lastBacklogAt - spawned) / 1000;
    const fromStart = (lastBacklogAt - startedAt) / 1000;
    const drain = (lastBacklogAt - firstBacklogAt) / 1000;
    console.log(
      `outbox drain after a ${OUTAGE_MIN}-minute outage (${backlog} samples appended, depth ${depth}):`,
    );
    console.log(`  ${backlogReceived} backlog samples at the broker, while ${PUMPS} pumps kept streaming`);
    console.log(
      `  first to last backlog sample at the broker: ${drain.toFixed(2)} s = ${(backlog / drain).toFixed(0)} samples/s`,
    );
    console.log(
      `  from the "gateway started" log line: ${fromStart.toFixed(2)} s; from spawning the process (tsx start-up included): ${fromSpawn.toFixed(2)} s`,
    );
    await stopGateway(gateway);

    // 3. After: end-to-end confirmation by the real server (issue 15).
    const server = await startServerChild();
    cleanups.push(() => server.stop());
    const confirmDir = join(dir, 'data-confirm');
    const confirmConfig = join(dir, 'gateway-confirm.yaml');
    writeFileSync(
      confirmConfig,
      stringify({
        hubId: 'HUB-BENCH',
        mqtt: { url: server.mqttUrl },
        dataDir: confirmDir,
        status: { enabled: false },
        confirm: { mode: 'server' },
        pumps: serialPumps,
      }),
    );
    const watch = await watchConfirmations(server.mqttUrl, 'pumpwatch/v1', 'HUB-BENCH');
    cleanups.push(() => watch.close());
    gateway = await startGateway(tsxGatewayArgs(confirmConfig));
    await sleep(WARMUP_S * 1000);
    watch.take();
    await sleep(Math.min(WINDOW_S, 30) * 1000);
    const latencies = watch.take();
    console.log(
      `end-to-end confirmation by the server (sample read → watermark at the hub's broker), ${latencies.length} samples:`,
    );
    console.log(
      `  p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`,
    );
    await stopGateway(gateway);
    const confirmBacklog = await appendBacklog(confirmDir, pumpIds, OUTAGE_MIN);
    const confirmSpawned = performance.now();
    gateway = await startGateway(tsxGatewayArgs(confirmConfig));
    const confirmStarted = performance.now();
    const allConfirmed = () =>
      pumpIds.every(
        (pumpId) => (watch.confirmedThrough.get(pumpId) ?? -1) >= (confirmBacklog.lastSeqs.get(pumpId) ?? 0),
      );
    while (!allConfirmed() && performance.now() - confirmSpawned < 900_000) await sleep(20);
    const confirmedS = (performance.now() - confirmStarted) / 1000;
    console.log(
      `outbox drain after a ${OUTAGE_MIN}-minute outage, until the server has confirmed it (${confirmBacklog.depth} samples, pumps streaming):`,
    );
    console.log(
      `  ${confirmedS.toFixed(2)} s from the "gateway started" line = ${(confirmBacklog.depth / confirmedS).toFixed(0)} samples/s confirmed; before (phase 2, PUBACK from a bare broker): ${(backlog / fromStart).toFixed(0)} samples/s acknowledged`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

/** Phase 4 in its own process: its figures are then the footprint script's alone. */
async function footprint(): Promise<void> {
  if (values['no-footprint']) return;
  console.log('the compiled hub with 50 simulated pumps at 1 Hz (npm run bench:gateway:footprint):');
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench-gateway-footprint.ts'], {
    stdio: 'inherit',
  });
  const [code] = await once(child, 'exit');
  if (code !== 0) process.exitCode = 1;
}

main()
  .then(footprint)
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
