import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type BenchConfig, type BrokerKind, type Stack, startStack } from './bench-stack.js';
import { Forked } from './forked.js';
import { findSustainedRate, fmt, type LadderLoad, type LadderResult } from './ladder.js';
import { type LatencyResult, measureAlertLatency } from './latency-probe.js';
import { LoadChild } from './load-child.js';
import { BENCH_MOSQUITTO_CONFIG, startMosquitto } from './mosquitto.js';
import { sleep } from './proc.js';

export type { BenchConfig, BrokerKind };

export interface EngineFigures {
  /** Best of the repeated passes; the median when bench-engine reports one. */
  samplesPerSecond: number;
  medianSamplesPerSecond?: number;
  nsPerSample: number;
  memoryPerPumpBytes: number;
  pumps: number;
}

/** `scripts/bench-engine.ts` (npm run bench:engine) in its own process; its JSON is the figure. */
export async function runEnginePhase(
  pumps: number,
  seconds: number,
  log: (line: string) => void,
): Promise<EngineFigures> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench-engine.ts', `--pumps=${pumps}`, `--seconds=${seconds}`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    child.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`    ${line}`);
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`bench-engine exited with ${code}`)),
    );
  });
  const figures = JSON.parse(readFileSync('artifacts/bench-engine.json', 'utf8')) as EngineFigures;
  return figures;
}

interface BrokerHandle {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function startBroker(kind: BrokerKind): Promise<BrokerHandle> {
  if (kind === 'mosquitto') return startMosquitto(BENCH_MOSQUITTO_CONFIG);
  const { child, ready } = await Forked.start('scripts/support/aedes-child.ts');
  return { url: ready.url as string, pid: child.pid, stop: () => child.stop() };
}

export interface BareFigures {
  broker: BrokerKind;
  ladder: LadderResult;
}

/** Publisher → broker → a subscriber that only parses JSON: the ceiling for this broker on this machine. */
export async function runBarePhase(kind: BrokerKind, config: BenchConfig): Promise<BareFigures> {
  const broker = await startBroker(kind);
  const cleanups: Array<() => Promise<void>> = [() => broker.stop()];
  try {
    const { child: subscriber } = await Forked.start('scripts/support/bare-subscriber.ts', [broker.url]);
    cleanups.push(() => subscriber.stop());
    const load = await LoadChild.start({
      url: broker.url,
      pumps: config.pumps,
      hz: config.startPerS / config.pumps,
    });
    cleanups.push(() => load.stop());
    config.log(`  bare relay over ${kind}: ${fmt(config.pumps)} pumps connected`);
    const ladder = await findSustainedRate({
      load,
      consumed: async () => (await subscriber.ask({ type: 'count' }, 'count')).received as number,
      pumps: config.pumps,
      startPerS: config.startPerS,
      factor: config.factor,
      maxPerS: config.maxPerS,
      settleMs: config.settleMs,
      windowMs: config.windowMs,
      watch: { broker: broker.pid, subscriber: subscriber.pid, generator: load.pid },
      log: config.log,
    });
    return { broker: kind, ladder };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

export interface ServerFigures {
  broker: BrokerKind;
  ladder: LadderResult;
  rssIdleBytes: number;
  rssAtPumpsBytes: number;
  pumps: number;
  memoryPerPumpBytes: number;
  latencyAtHalf: (LatencyResult & { loadPerS: number }) | null;
  latencyAt10k: (LatencyResult & { loadPerS: number }) | null;
  big: BigFigures | null;
}

export interface BigFigures {
  pumps: number;
  offeredPerS: number;
  ackedPerS: number;
  consumedPerS: number;
  backlogStart: number;
  backlogEnd: number;
  sustained: boolean;
  rssBytes: number;
}

/**
 * The whole server (validate + rules + store + WebSocket to one connected dashboard client) fed by the
 * load generator through `kind`. A first stack finds the sustained rate (the ladder ends in overload);
 * a fresh one then measures steady state: publish → alert frame latency at half that rate (and at
 * 10,000 msg/s when sustained), RSS with every pump known, and, with Mosquitto, 20,000 pumps at 1 Hz.
 */
export async function runServerPhase(kind: BrokerKind, config: BenchConfig): Promise<ServerFigures> {
  const ladderStack = await startStack(kind, config, config.pumps, config.startPerS / config.pumps, 'ladder');
  let ladder: LadderResult;
  try {
    config.log(`  server over ${kind}: ${fmt(config.pumps)} pumps connected; one dashboard client on /ws`);
    ladder = await findSustainedRate({
      load: ladderStack.load,
      consumed: ladderStack.accepted,
      pumps: config.pumps,
      startPerS: config.startPerS,
      factor: config.factor,
      maxPerS: config.maxPerS,
      settleMs: config.settleMs,
      windowMs: config.windowMs,
      watch: ladderStack.watch,
      log: config.log,
    });
  } finally {
    await ladderStack.stop();
  }
  const sustained = ladder.sustainedPerS;
  const half = Math.max(100, Math.round(sustained / 2));
  const stack = await startStack(kind, config, config.pumps, half / config.pumps, 'steady');
  try {
    config.log(
      `  fresh server over ${kind}, ${fmt(config.pumps)} pumps at ${fmt(half)} msg/s (half the sustained rate)`,
    );
    const latencyAt = async (perS: number) => {
      stack.load.setRate(perS / config.pumps);
      await sleep(config.settleMs + 2000);
      const before = await stack.accepted();
      const result = await measureAlertLatency({
        mqttUrl: stack.server.mqttUrl,
        httpUrl: stack.server.httpUrl,
        perSecond: config.latencyPerSecond,
        seconds: config.latencySeconds,
        runId: `${kind}-${perS}`,
      });
      const ingested = (await stack.accepted()) - before;
      config.log(
        `  publish → alert frame at ${fmt(perS)} msg/s: p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ` +
          `p99 ${result.p99Ms} ms, max ${result.maxMs} ms (${result.received}/${result.probes} probes; ` +
          `${fmt(ingested)} samples ingested meanwhile)`,
      );
      return { ...result, loadPerS: perS };
    };
    const latencyAtHalf = sustained > 0 ? await latencyAt(half) : null;
    const rssAtPumpsBytes = stack.server.rss();
    const latencyAt10k = sustained >= 10_000 && half !== 10_000 ? await latencyAt(10_000) : null;

    let big: BigFigures | null = null;
    if (kind === 'mosquitto' && config.bigPumps > config.pumps) {
      stack.load.setRate(1);
      const both = await stack.addLoad(config.bigPumps - config.pumps, 1);
      config.log(
        `  ${fmt(config.bigPumps)} pumps × 1 Hz over mosquitto (a second generator adds the other pumps):`,
      );
      big = await measureBig(stack, both, config);
    }
    return {
      broker: kind,
      ladder,
      rssIdleBytes: stack.rssIdleBytes,
      rssAtPumpsBytes,
      pumps: config.pumps,
      memoryPerPumpBytes: Math.round((rssAtPumpsBytes - stack.rssIdleBytes) / config.pumps),
      latencyAtHalf,
      latencyAt10k: latencyAt10k ?? (half === 10_000 ? latencyAtHalf : null),
      big,
    };
  } finally {
    await stack.stop();
  }
}

async function measureBig(stack: Stack, load: LadderLoad, config: BenchConfig): Promise<BigFigures> {
  const ladder = await findSustainedRate({
    load,
    consumed: stack.accepted,
    pumps: config.bigPumps,
    startPerS: config.bigPumps,
    factor: 2,
    maxPerS: config.bigPumps,
    settleMs: config.settleMs + 3000,
    windowMs: config.windowMs * 2,
    watch: stack.watch,
    log: config.log,
  });
  const step = ladder.steps[0];
  return {
    pumps: config.bigPumps,
    offeredPerS: config.bigPumps,
    ackedPerS: Math.round(step?.ackedPerS ?? 0),
    consumedPerS: Math.round(step?.consumedPerS ?? 0),
    backlogStart: step?.backlogStart ?? 0,
    backlogEnd: step?.backlogEnd ?? 0,
    sustained: step?.pass ?? false,
    rssBytes: stack.server.rss(),
  };
}
