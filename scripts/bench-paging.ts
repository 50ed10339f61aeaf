/**
 * `npm run bench:paging`: time from a raised alert to its page's push request arriving at the push service
 * (issue 14), at 10,000 msg/s of telemetry and, as the ratio's baseline in the same run, with none. Prints
 * progress and a table; writes artifacts/bench-paging.json. `npm run bench` runs it as its `paging` part.
 *
 *   npm run bench:paging -- [--quick] [--pumps 10000] [--rate 10000] [--alerts 120] [--alerts-per-s 2]
 *                            [--settle-s 5] [--store duckdb|memory]
 *
 * Method (docs/benchmarks.md#paging-alert--push-request): a real server (embedded aedes), a care team whose
 * rotation has the on-call nurse on call, her one push device pointing at a loopback endpoint this script
 * runs, the fault pumps assigned to a patient of that team, and one `air_in_line` fault at a time on pumps
 * spread across the load generator's fleet. Each alert is timed from its sample's publish to the push
 * request's arrival, on this process's clock.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fmt } from './support/ladder.js';
import { type PagingBenchConfig, type PagingPhaseFigures, runPagingBench } from './support/paging-phase.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    pumps: { type: 'string' },
    rate: { type: 'string' },
    alerts: { type: 'string' },
    'alerts-per-s': { type: 'string' },
    'settle-s': { type: 'string' },
    store: { type: 'string', default: 'duckdb' },
    help: { type: 'boolean', default: false },
  },
});
if (values.store !== 'duckdb' && values.store !== 'memory') {
  console.error(`BENCH_INVALID: --store must be duckdb or memory, got ${values.store}`);
  process.exit(2);
}
if (values.help) {
  console.log(
    'Usage: npm run bench:paging -- [--quick] [--pumps 10000] [--rate 10000] [--alerts 120] ' +
      '[--alerts-per-s 2] [--settle-s 5] [--store duckdb|memory]\n' +
      '  --quick: 2,000 pumps at 2,000 msg/s, 10 alerts at 5/s (~15 s)\n' +
      '  --store memory: the server without its durable store, to see what the writes before a page cost',
  );
  process.exit(0);
}
// --quick checks that the setup works end to end in about half a minute; its figures are not the issue's.
const defaults = values.quick
  ? { pumps: 2000, rate: 2000, alerts: 10, alertsPerS: 5, settleS: 2 }
  : { pumps: 10_000, rate: 10_000, alerts: 120, alertsPerS: 2, settleS: 5 };
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const config: PagingBenchConfig = {
  pumps: positive('pumps', values.pumps, defaults.pumps),
  loadPerS: positive('rate', values.rate, defaults.rate),
  alerts: positive('alerts', values.alerts, defaults.alerts),
  alertsPerS: positive('alerts-per-s', values['alerts-per-s'], defaults.alertsPerS),
  settleMs: positive('settle-s', values['settle-s'], defaults.settleS) * 1000,
  store: values.store,
  log: (line) => console.log(`[${elapsed()}] ${line.trim()}`),
};
console.log(
  `pumpwatch bench:paging on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, load average ` +
    `${loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}; ${config.alerts} alerts at ${config.alertsPerS}/s, no load then ${fmt(config.loadPerS)} msg/s`,
);

const figures = await runPagingBench(config);
const row = (phase: PagingPhaseFigures) => ({
  'p50 ms': phase.p50Ms,
  'p95 ms': phase.p95Ms,
  'p99 ms': phase.p99Ms,
  'max ms': phase.maxMs,
  paged: `${phase.paged}/${phase.alerts}`,
  'from raisedAt p50/p99 ms': `${phase.fromRaisedAt.p50Ms} / ${phase.fromRaisedAt.p99Ms}`,
  'broker ack p50 ms': phase.brokerAck.p50Ms,
  'ingested msg/s': fmt(phase.ingestedPerS),
});
console.log('');
console.table({
  'no load': row(figures.baseline),
  [`${fmt(config.loadPerS)} msg/s`]: row(figures.loaded),
});
console.log(
  `ratio loaded / no load: p50 ${figures.ratio.p50}, p99 ${figures.ratio.p99}, max ${figures.ratio.max}`,
);
mkdirSync('artifacts', { recursive: true });
writeFileSync(
  'artifacts/bench-paging.json',
  `${JSON.stringify(
    {
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        date: new Date().toISOString(),
      },
      command: `npm run bench:paging -- ${process.argv.slice(2).join(' ')}`.trim(),
      config: { ...config, log: undefined },
      totalSeconds: Math.round((performance.now() - started) / 1000),
      ...figures,
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote artifacts/bench-paging.json in ${elapsed()}`);
const lost = figures.baseline.lost + figures.loaded.lost;
if (lost > 0) {
  console.error(`${lost} alert(s) were never paged within 10 s of the last fault`);
  process.exitCode = 1;
}

function positive(name: string, given: string | undefined, fallback: number): number {
  const value = given === undefined ? fallback : Number(given);
  if (!(Number.isFinite(value) && value > 0)) {
    console.error(`BENCH_INVALID: --${name} must be a positive number, got ${given}`);
    process.exit(2);
  }
  return value;
}
