/**
 * `npm run bench`: every figure of issue 7 from one command, within 10 minutes on a 2-core machine.
 * Prints a table and writes artifacts/bench.json.
 *
 *   1. engine core samples/s (scripts/bench-engine.ts, 10,000 pumps);
 *   2. per broker (embedded aedes, external Mosquitto): the bare relay (publisher → broker → a subscriber
 *      that only parses JSON) and the whole server (validate + rules + store + WebSocket), each the highest
 *      rate sustained without a growing backlog, and their ratio;
 *   3. publish → alert frame latency on a WebSocket client at half the sustained rate (and at 10,000
 *      msg/s when that is sustained);
 *   4. server RSS and memory per pump at 10,000 pumps; 20,000 pumps at 1 Hz with Mosquitto;
 *   5. raised alert → its page's push request at the push service, with no load and at 10,000 msg/s
 *      (scripts/bench-paging.ts, npm run bench:paging).
 *
 * Everything runs on loopback in separate processes (server, broker, load generator, subscriber).
 *
 *   npm run bench -- [--only engine,aedes,mosquitto,paging] [--pumps 10000] [--big-pumps 20000]
 *                    [--window-s 5] [--settle-s 2] [--paging-alerts 120] [--profile]
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  type BareFigures,
  type BenchConfig,
  type BrokerKind,
  type EngineFigures,
  runBarePhase,
  runEnginePhase,
  runServerPhase,
  type ServerFigures,
} from './support/bench-phases.js';
import { summarizeProfiles } from './support/cpu-profile.js';
import { fmt } from './support/ladder.js';
import { BENCH_MOSQUITTO_CONFIG } from './support/mosquitto.js';
import { type PagingFigures, runPagingBench } from './support/paging-phase.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'engine,aedes,mosquitto,paging' },
    pumps: { type: 'string', default: '10000' },
    'big-pumps': { type: 'string', default: '20000' },
    'window-s': { type: 'string', default: '5' },
    'settle-s': { type: 'string', default: '2' },
    'start-rate': { type: 'string', default: '3000' },
    factor: { type: 'string', default: '1.4' },
    'max-rate': { type: 'string', default: '90000' },
    'latency-s': { type: 'string', default: '20' },
    'probes-per-s': { type: 'string', default: '10' },
    'paging-alerts': { type: 'string', default: '120' },
    'paging-alerts-per-s': { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
  },
});
const only = new Set(values.only.split(','));
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string) => console.log(line);
const profileDir = values.profile
  ? `artifacts/profiles/${new Date().toISOString().replace(/[:.]/g, '-')}`
  : undefined;
const config: BenchConfig = {
  pumps: Number(values.pumps),
  bigPumps: Number(values['big-pumps']),
  settleMs: Number(values['settle-s']) * 1000,
  windowMs: Number(values['window-s']) * 1000,
  startPerS: Number(values['start-rate']),
  factor: Number(values.factor),
  maxPerS: Number(values['max-rate']),
  latencySeconds: Number(values['latency-s']),
  latencyPerSecond: Number(values['probes-per-s']),
  ...(profileDir ? { cpuProfileDir: profileDir } : {}),
  log,
};

const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  node: process.version,
  date: new Date().toISOString(),
};
log(
  `pumpwatch bench on ${machine.cpus} × ${machine.cpuModel}, load average ${machine.loadAverageAtStart.join(' ')}`,
);

let engine: EngineFigures | null = null;
if (only.has('engine')) {
  log(`[${elapsed()}] engine core (scripts/bench-engine.ts, ${fmt(config.pumps)} pumps)`);
  engine = await runEnginePhase(config.pumps, 60, log);
}
const brokers: Partial<Record<BrokerKind, { bare: BareFigures | null; server: ServerFigures | null }>> = {};
// `--only mosquitto` runs both parts; `--only mosquitto:server` (or `:bare`) one of them.
const wants = (kind: BrokerKind, part: 'bare' | 'server') => only.has(kind) || only.has(`${kind}:${part}`);
for (const kind of ['aedes', 'mosquitto'] as const) {
  let bare: BareFigures | null = null;
  let server: ServerFigures | null = null;
  if (wants(kind, 'bare')) {
    log(`[${elapsed()}] ${kind}: bare relay`);
    bare = await runBarePhase(kind, config);
  }
  if (wants(kind, 'server')) {
    log(`[${elapsed()}] ${kind}: pumpwatch server`);
    server = await runServerPhase(kind, config);
  }
  if (bare || server) brokers[kind] = { bare, server };
}
let paging: PagingFigures | null = null;
if (only.has('paging')) {
  log(`[${elapsed()}] paging: raised alert → push request, no load then 10,000 msg/s (embedded aedes)`);
  paging = await runPagingBench({
    pumps: config.pumps,
    loadPerS: 10_000,
    alerts: Number(values['paging-alerts']),
    alertsPerS: Number(values['paging-alerts-per-s']),
    settleMs: 5000,
    log,
  });
}

const rows: Record<string, Record<string, string>> = {};
if (engine) {
  rows['engine core'] = {
    figure: `${fmt(engine.samplesPerSecond)} samples/s`,
    detail:
      `${engine.nsPerSample} ns/sample (best)` +
      (engine.medianSamplesPerSecond ? `, median ${fmt(engine.medianSamplesPerSecond)}/s` : '') +
      `, ${fmt(engine.memoryPerPumpBytes)} B heap/pump`,
  };
}
const targets: Record<string, { target: string; measured: string; met: boolean | null }> = {};
for (const [kind, { bare, server }] of Object.entries(brokers)) {
  if (bare) {
    rows[`${kind}: bare relay`] = {
      figure: `${fmt(bare.ladder.sustainedPerS)} msg/s`,
      detail: `ended by: ${bare.ladder.limitedBy}; CPU µs/msg ${cpuText(bare.ladder.cpuUsPerMessage)}`,
    };
  }
  if (!server) continue;
  const ratio =
    bare && bare.ladder.sustainedPerS > 0 ? server.ladder.sustainedPerS / bare.ladder.sustainedPerS : null;
  rows[`${kind}: server ingest`] = {
    figure: `${fmt(server.ladder.sustainedPerS)} msg/s`,
    detail:
      `ratio ours/bare ${ratio?.toFixed(2) ?? '-'}; ended by: ${server.ladder.limitedBy}; ` +
      `CPU µs/msg ${cpuText(server.ladder.cpuUsPerMessage)}`,
  };
  if (ratio !== null)
    targets[`${kind}: ratio ≥ 0.8`] = { target: '0.80', measured: ratio.toFixed(2), met: ratio >= 0.8 };
  const half = server.latencyAtHalf;
  if (half) {
    rows[`${kind}: alert latency @ ${fmt(half.loadPerS)}/s`] = {
      figure: `p99 ${half.p99Ms} ms`,
      detail: `p50 ${half.p50Ms}, p95 ${half.p95Ms}, max ${half.maxMs} ms; ${half.received}/${half.probes} probes`,
    };
  }
  const at10k = server.latencyAt10k;
  if (at10k) {
    rows[`${kind}: alert latency @ 10,000/s`] = {
      figure: `p99 ${at10k.p99Ms} ms`,
      detail: `p50 ${at10k.p50Ms}, p95 ${at10k.p95Ms}, max ${at10k.maxMs} ms; ${at10k.received}/${at10k.probes} probes`,
    };
  }
  targets[`${kind}: p99 ≤ 20 ms at 10,000 msg/s`] = at10k
    ? { target: '20 ms', measured: `${at10k.p99Ms} ms`, met: at10k.p99Ms <= 20 }
    : {
        target: '20 ms',
        measured: `10,000 msg/s not sustained (${fmt(server.ladder.sustainedPerS)})`,
        met: false,
      };
  rows[`${kind}: server RSS @ ${fmt(server.pumps)} pumps`] = {
    figure: `${mib(server.rssAtPumpsBytes)} MiB`,
    detail: `idle ${mib(server.rssIdleBytes)} MiB; ${fmt(server.memoryPerPumpBytes)} B/pump over idle`,
  };
  if (server.big) {
    const big = server.big;
    rows[`${kind}: ${fmt(big.pumps)} pumps × 1 Hz`] = {
      figure: `${fmt(big.consumedPerS)} msg/s ingested`,
      detail: `acked ${fmt(big.ackedPerS)}/s, backlog ${fmt(big.backlogStart)} → ${fmt(big.backlogEnd)}; RSS ${mib(big.rssBytes)} MiB`,
    };
    targets[`${kind}: ${fmt(big.pumps)} pumps at 1 Hz`] = {
      target: `${fmt(big.offeredPerS)} msg/s, no growing lag`,
      measured: `${fmt(big.consumedPerS)} msg/s, ${big.sustained ? 'lag steady' : 'lag grows'}`,
      met: big.sustained,
    };
  }
}
if (paging) {
  for (const phase of [paging.baseline, paging.loaded]) {
    rows[`paging: alert → push @ ${phase.loadPerS > 0 ? `${fmt(phase.loadPerS)}/s` : 'no load'}`] = {
      figure: `p99 ${phase.p99Ms} ms`,
      detail:
        `p50 ${phase.p50Ms}, p95 ${phase.p95Ms}, max ${phase.maxMs} ms; ${phase.paged}/${phase.alerts} paged; ` +
        `${fmt(phase.ingestedPerS)} msg/s ingested`,
    };
  }
  rows['paging: ratio loaded / no load'] = {
    figure: `p50 ${paging.ratio.p50}, p99 ${paging.ratio.p99}`,
    detail: `max ${paging.ratio.max} (same run; compare ratios, not absolute times)`,
  };
}

log('');
console.table(rows);
console.table(targets);
const profiles = profileDir ? summarizeProfiles(profileDir) : null;
if (profiles) log(profiles.text);
mkdirSync('artifacts', { recursive: true });
const result = {
  machine,
  command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
  mosquittoConfig: BENCH_MOSQUITTO_CONFIG.split('\n'),
  totalSeconds: Math.round((performance.now() - started) / 1000),
  engine,
  brokers,
  paging,
  table: rows,
  targets,
  ...(profiles ? { profiles: profiles.summary } : {}),
};
writeFileSync('artifacts/bench.json', `${JSON.stringify(result, null, 2)}\n`);
log(`wrote artifacts/bench.json in ${elapsed()}`);

function cpuText(perMessage: Record<string, number>): string {
  return Object.entries(perMessage)
    .map(([name, us]) => `${name} ${us}`)
    .join(', ');
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
}
