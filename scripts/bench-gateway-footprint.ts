/**
 * npm run bench:gateway:footprint [-- --pumps 50 --seconds 60 --warmup-seconds 10 --runs tsx,compiled,unit]
 *
 * The hub's footprint (issue 17: ≤ 80 MB RSS and ≤ 5 % of one core with 50 pumps at 1 Hz). N simulated
 * pumps at 1 Hz in the real gateway, publishing to an aedes broker in this process, measured three ways
 * in the same run:
 *   tsx       node --import tsx gateway/src/main.ts, as `npm run gateway` runs it;
 *   compiled  node gateway/dist/main.js (`npm run build`), no flags;
 *   unit      the compiled gateway with the node flags of ExecStart in
 *             deploy/gateway/pumpwatch-gateway.service, as an installed hub runs it.
 * After a warm-up, CPU = Δ(utime + stime) / Δwall from /proc/<pid>/stat over the window; RSS = VmRSS
 * every second over the window (steady: median and max) and VmHWM at the end (the peak since exec,
 * start-up included), from /proc/<pid>/status.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Aedes } from 'aedes';
import { stringify } from 'yaml';
import { bundle, root } from './build-bundle.js';
import { BUILD_TARGETS } from './build-targets.js';
import { CLK_TCK, cpuTicks, procStatusBytes, startGateway, stopGateway } from './support/gateway-child.js';

const { values } = parseArgs({
  options: {
    pumps: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    'warmup-seconds': { type: 'string', default: '10' },
    runs: { type: 'string', default: 'tsx,compiled,unit' },
  },
});
const PUMPS = Number(values.pumps);
const WINDOW_S = Number(values.seconds);
const WARMUP_S = Number(values['warmup-seconds']);
const TARGET_RSS_MB = 80;
const TARGET_CPU_PCT = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The node flags an installed hub runs with: ExecStart of the unit, between `node` and the script. */
function unitNodeFlags(unitText: string): string[] {
  const execStart = /^ExecStart=(.+)$/m.exec(unitText)?.[1]?.trim().split(/\s+/) ?? [];
  const script = execStart.findIndex((word) => word.endsWith('/dist/main.js'));
  if (script < 1) throw new Error('ExecStart of the unit does not run node …/dist/main.js');
  return execStart.slice(1, script);
}

const RUNS: Record<string, { label: string; args: () => string[] }> = {
  tsx: { label: 'tsx (npm run gateway)', args: () => ['--import', 'tsx', 'gateway/src/main.ts'] },
  compiled: { label: 'compiled (node gateway/dist/main.js)', args: () => ['gateway/dist/main.js'] },
  unit: {
    label: 'compiled, node flags of the systemd unit',
    args: () => [
      ...unitNodeFlags(readFileSync(join(root, 'deploy/gateway/pumpwatch-gateway.service'), 'utf8')),
      'gateway/dist/main.js',
    ],
  },
};

interface Footprint {
  label: string;
  args: string[];
  samplesPerSecond: number;
  cpuPct: number;
  rssMedianMb: number;
  rssMaxMb: number;
  peakMb: number;
}

async function main(): Promise<void> {
  const runs = String(values.runs).split(',');
  for (const run of runs)
    if (!RUNS[run]) throw new Error(`unknown run ${run}: ${Object.keys(RUNS).join(', ')}`);
  const gatewayTarget = BUILD_TARGETS.find((target) => target.workspace === 'gateway');
  if (gatewayTarget) await bundle(gatewayTarget);

  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-footprint-'));
  const broker = await Aedes.createBroker();
  let received = 0;
  broker.on('publish', (packet, client) => {
    if (client && packet.topic.endsWith('/telemetry')) received++;
  });
  const tcp = createServer(broker.handle);
  tcp.listen(0, '127.0.0.1');
  await once(tcp, 'listening');
  const port = (tcp.address() as AddressInfo).port;
  const results: Footprint[] = [];
  try {
    for (const [index, run] of runs.entries()) {
      const spec = RUNS[run] as (typeof RUNS)[string];
      const configFile = join(dir, `gateway-${index}.yaml`);
      writeFileSync(
        configFile,
        stringify({
          hubId: `HUB-FOOTPRINT-${index}`,
          mqtt: { url: `mqtt://127.0.0.1:${port}` },
          dataDir: join(dir, `data-${index}`),
          // As on a hub: the status endpoint on (port 0: any free one).
          status: { port: 0 },
          pumps: Array.from({ length: PUMPS }, (_, i) => ({
            pumpId: `PUMP-F${String(i).padStart(3, '0')}`,
            driver: 'simulated',
            rate_mL_h: 20 + i,
            // A week's bag: no pump completes during the window.
            vtbi_mL: 5000,
          })),
        }),
      );
      const args = [...spec.args(), '--config', configFile];
      const child = await startGateway(args);
      try {
        await sleep(WARMUP_S * 1000);
        const pid = child.pid as number;
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
        rss.sort((a, b) => a - b);
        results.push({
          label: spec.label,
          args,
          samplesPerSecond: (received - received0) / wallSeconds,
          cpuPct: (cpuSeconds / wallSeconds) * 100,
          rssMedianMb: mb(rss[Math.floor(rss.length / 2)] ?? 0),
          rssMaxMb: mb(rss.at(-1) ?? 0),
          peakMb: mb(procStatusBytes(pid, 'VmHWM')),
        });
      } finally {
        await stopGateway(child);
      }
    }
  } finally {
    await new Promise<void>((resolve) => broker.close(() => tcp.close(() => resolve())));
    rmSync(dir, { recursive: true, force: true });
  }
  report(results);
}

function report(results: Footprint[]): void {
  console.log(
    `gateway footprint, ${PUMPS} simulated pumps at 1 Hz, ${WINDOW_S} s after ${WARMUP_S} s warm-up (node ${process.version}):`,
  );
  for (const r of results) {
    const within = r.peakMb <= TARGET_RSS_MB && r.cpuPct <= TARGET_CPU_PCT ? 'within' : 'NOT within';
    console.log(`  ${r.label}`);
    console.log(`    node ${r.args.slice(0, -2).join(' ')}`);
    console.log(`    broker received ${r.samplesPerSecond.toFixed(1)} samples/s`);
    console.log(`    CPU ${r.cpuPct.toFixed(2)} % of one core`);
    console.log(
      `    RSS steady ${r.rssMedianMb.toFixed(1)} MiB (median; max ${r.rssMaxMb.toFixed(1)}), peak (VmHWM) ${r.peakMb.toFixed(1)} MiB`,
    );
    console.log(`    ${within} the target (≤ ${TARGET_RSS_MB} MiB peak, ≤ ${TARGET_CPU_PCT} % CPU)`);
  }
}

const mb = (bytes: number): number => bytes / 1024 / 1024;

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
