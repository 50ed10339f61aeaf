/**
 * npm run bench:gateway [-- --pumps 20 --seconds 60 --outage-minutes 10]
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
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OutboxStore } from '@pumpwatch/gateway';
import { buildScenario, createPumpFromScenario } from '@pumpwatch/simulators';
import { SerialPump } from '@pumpwatch/simulators/serial';
import { Aedes } from 'aedes';
import { stringify } from 'yaml';

const { values } = parseArgs({
  options: {
    pumps: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    'warmup-seconds': { type: 'string', default: '10' },
    'outage-minutes': { type: 'string', default: '10' },
  },
});
const PUMPS = Number(values.pumps);
const WINDOW_S = Number(values.seconds);
const WARMUP_S = Number(values['warmup-seconds']);
const OUTAGE_MIN = Number(values['outage-minutes']);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
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
    const configFile = join(dir, 'gateway.yaml');
    writeFileSync(
      configFile,
      stringify({
        hubId: 'HUB-BENCH',
        mqtt: { url: `mqtt://127.0.0.1:${port}` },
        dataDir,
        status: { enabled: false },
        pumps: Array.from({ length: PUMPS }, (_, i) => ({
          pumpId: `PUMP-B${String(i).padStart(3, '0')}`,
          driver: 'serial',
          path: join(dir, `p${i}-gw`),
        })),
      }),
    );

    // 1. CPU and RSS at steady state.
    let gateway = await startGateway(configFile);
    cleanups.push(() => stopGateway(gateway));
    await sleep(WARMUP_S * 1000);
    const pid = gateway.pid as number;
    const rss: number[] = [];
    const cpu0 = cpuTicks(pid);
    const wall0 = performance.now();
    const received0 = received;
    for (let s = 0; s < WINDOW_S; s++) {
      await sleep(1000);
      rss.push(status(pid, 'VmRSS'));
    }
    const cpuSeconds = (cpuTicks(pid) - cpu0) / CLK_TCK;
    const wallSeconds = (performance.now() - wall0) / 1000;
    const hwm = status(pid, 'VmHWM');
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
    const store = await OutboxStore.open(dataDir, { maxEntries: 100_000 });
    const now = Date.now();
    backlogBefore = now - 1000;
    const appends: Promise<unknown>[] = [];
    for (let s = OUTAGE_MIN * 60; s > 0; s--) {
      for (let i = 0; i < PUMPS; i++) {
        const ts = now - 1000 - s * 1000;
        appends.push(
          store.append(`PUMP-B${String(i).padStart(3, '0')}`, {
            v: 1,
            ts,
            hubTs: ts,
            state: 'infusing',
            rate_mL_h: 20 + i,
            vi_mL: s / 100,
            vtbi_mL: 500,
            pressure_mmHg: 12.4,
            occlusionLimit_mmHg: 300,
            battery_pct: 90,
            onBattery: false,
            alarms: [],
          }),
        );
      }
    }
    await Promise.all(appends);
    const depth = store.depth;
    await store.close();
    const spawned = performance.now();
    gateway = await startGateway(configFile);
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
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startGateway(configFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/main.ts', '--config', configFile], {
    env: { ...process.env, PUMPWATCH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  while (!output.includes('gateway started')) {
    if (child.exitCode !== null) throw new Error(`gateway exited: ${output}`);
    await sleep(10);
  }
  return child;
}

async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
  return Number(fields[11]) + Number(fields[12]);
}

function status(pid: number, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
