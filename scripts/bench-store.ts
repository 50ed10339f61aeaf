/**
 * `npm run bench:store`: sustained samples/s into the embedded store (DuckDB) and through the forwarder
 * into a real InfluxDB 1.x (Debian's influxd on loopback), the process's RSS, and RSS through an InfluxDB
 * outage while samples keep coming (issue #5: ≥ 50,000 samples/s each; memory bounded in a 10-minute
 * outage: `--outage-seconds 600`); and how long a burst of 1,000 alert saves takes to commit.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  openDuckDbStore,
  openStorage,
  type SampleStore,
  type Storage,
  storeConfigSchema,
} from '@pumpwatch/server/store';
import { alert as fixtureAlert } from '@pumpwatch/server/testing';
import { startInfluxd } from '@pumpwatch/test/support';
import { pino } from 'pino';

const HELP = `npm run bench:store -- [options]

  --seconds N          length of each throughput run (default 20)
  --pumps N            pumps the samples are spread over (default 1000)
  --target N           samples/s the InfluxDB "keeps up" run offers (default 50000)
  --outage-seconds N   InfluxDB is down this long while samples flow (default 60; the issue asks 600)
  --outage-rate N      samples/s during the outage (default 5000)
  --skip-influx        embedded store only
  --help
`;

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    pumps: { type: 'string', default: '1000' },
    target: { type: 'string', default: '50000' },
    'outage-seconds': { type: 'string', default: '60' },
    'outage-rate': { type: 'string', default: '5000' },
    'skip-influx': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const seconds = Number(values.seconds);
const pumps = Number(values.pumps);
const target = Number(values.target);
const outageSeconds = Number(values['outage-seconds']);
const outageRate = Number(values['outage-rate']);
const logger = pino({ level: 'warn' });
const MB = 1024 * 1024;

/** Peak RSS and event-loop lag, sampled every 100 ms. */
class Meter {
  peakRss = process.memoryUsage().rss;
  maxLagMs = 0;
  private last = performance.now();
  private readonly timer = setInterval(() => {
    const now = performance.now();
    this.maxLagMs = Math.max(this.maxLagMs, now - this.last - 100);
    this.last = now;
    this.peakRss = Math.max(this.peakRss, process.memoryUsage().rss);
  }, 100);
  stop() {
    clearInterval(this.timer);
  }
}

let nextSeq = 0;
/** Appends `count` samples round robin over the pumps; seq and ts keep every (pump, ts) distinct. */
function appendBatch(samples: SampleStore, count: number, base: number): void {
  const receivedAt = Date.now();
  for (let i = 0; i < count; i += 1) {
    nextSeq += 1;
    const pump = nextSeq % pumps;
    const seq = Math.floor(nextSeq / pumps) + 1;
    samples.append({
      hubId: `hub-${pump % 100}`,
      pumpId: `PUMP-${pump}`,
      receivedAt,
      sample: {
        v: 1,
        seq,
        ts: base + seq,
        state: 'infusing',
        rate_mL_h: 25,
        vi_mL: seq / 100,
        vtbi_mL: 1000,
        pressure_mmHg: 40 + (seq % 50),
        occlusionLimit_mmHg: 300,
        battery_pct: 80,
        onBattery: false,
        alarms: [],
      },
    });
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Offers samples as fast as the store takes them (or at `rate`/s) for `ms`; returns how many. */
async function produce(samples: SampleStore, ms: number, rate = 0): Promise<number> {
  const started = performance.now();
  const base = Date.now() - 86_400_000;
  let produced = 0;
  while (performance.now() - started < ms) {
    if (rate > 0) {
      const due = ((performance.now() - started) / 1000) * rate - produced;
      if (due < 500) {
        await sleep(10);
        continue;
      }
      appendBatch(samples, Math.floor(due), base);
      produced += Math.floor(due);
    } else {
      appendBatch(samples, 5000, base);
      produced += 5000;
      // Backpressure from the store: never more than two group commits behind.
      const pending = (samples as { pendingRows?: number }).pendingRows ?? 0;
      if (pending > 100_000) await samples.flush();
    }
    await tick();
  }
  return produced;
}

function line(label: string, figures: Record<string, string | number>): void {
  const text = Object.entries(figures)
    .map(([key, value]) => `${key}=${value}`)
    .join('  ');
  process.stdout.write(`${label.padEnd(34)} ${text}\n`);
}

async function benchEmbedded(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-store-'));
  const store = await openDuckDbStore({ dataDir: dir });
  const meter = new Meter();
  const started = performance.now();
  const produced = await produce(store.samples, seconds * 1000);
  await store.samples.flush();
  const elapsed = (performance.now() - started) / 1000;
  meter.stop();
  line('embedded DuckDB', {
    'samples/s': Math.round(produced / elapsed),
    samples: produced,
    seconds: elapsed.toFixed(1),
    peakRssMB: Math.round(meter.peakRss / MB),
    maxEventLoopLagMs: Math.round(meter.maxLagMs),
    diskMB: (diskBytes(dir) / MB).toFixed(1),
    bytesPerSample: (diskBytes(dir) / produced).toFixed(1),
  });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * A burst of alert transitions asked for at once (a hub of pumps going silent, a restart with many
 * pumps offline): how long until the last is committed, which is also how long an acknowledgement
 * asked for behind them waits for its answer.
 */
async function benchAlertBurst(count: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-alerts-'));
  const store = await openDuckDbStore({ dataDir: dir });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const alert = fixtureAlert({
        id: `PUMP-${i}.pump_offline.1`,
        pumpId: `PUMP-${i}`,
        rule: 'pump_offline',
        raisedAt: Date.now(),
      });
      return store.alerts.save(alert, {
        alertId: alert.id,
        type: 'raised',
        at: alert.raisedAt,
        actor: 'engine',
        alert,
      });
    }),
  );
  const ms = performance.now() - started;
  line(`alert burst (${count} saves at once)`, {
    'all committed ms': Math.round(ms),
    'ms per save': (ms / count).toFixed(2),
  });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

/** The store's file and its write-ahead log. */
function diskBytes(dir: string): number {
  let bytes = 0;
  for (const name of ['pumpwatch.duckdb', 'pumpwatch.duckdb.wal']) {
    try {
      bytes += statSync(join(dir, name)).size;
    } catch {
      // no WAL right after a checkpoint
    }
  }
  return bytes;
}

async function waitDrained(storage: Storage, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  await storage.samples.flush();
  while (Date.now() < deadline) {
    if ((storage.forwarder?.backlog ?? 0) === 0) return true;
    await sleep(20);
  }
  return false;
}

async function benchInflux(): Promise<void> {
  const influx = await startInfluxd();
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-influx-'));
  try {
    await influx.createDatabase('bench');
    const config = storeConfigSchema.parse({
      influx: { url: influx.url, database: 'bench', retryMaxMs: 1000 },
    });
    const count = async () =>
      Object.values(await influx.countPerPump('bench')).reduce((sum, value) => sum + value, 0);

    // 1. Drain rate: a backlog of `seconds` worth at the target rate is stored first, then the forwarder
    // starts and the clock runs until InfluxDB has acknowledged all of it.
    const backlog = target * seconds;
    const filler = await openDuckDbStore({ dataDir: join(dir, 'data') });
    const base = Date.now() - 86_400_000;
    for (let done = 0; done < backlog; done += 10_000) {
      appendBatch(filler.samples, 10_000, base);
      await filler.samples.flush();
    }
    await filler.close();
    const drained = await openStorage({ dataDir: join(dir, 'data'), config, logger, now: Date.now });
    let meter = new Meter();
    let started = performance.now();
    await waitDrained(drained, 600_000);
    let elapsed = (performance.now() - started) / 1000;
    meter.stop();
    line('InfluxDB 1.x drain (backlog)', {
      'samples/s': Math.round(backlog / elapsed),
      samples: backlog,
      seconds: elapsed.toFixed(1),
      peakRssMB: Math.round(meter.peakRss / MB),
      inInflux: await count(),
    });

    // 2. Sustained: the target rate offered for `seconds` while the forwarder delivers.
    meter = new Meter();
    started = performance.now();
    const produced = await produce(drained.samples, seconds * 1000, target);
    const backlogAtEnd = drained.forwarder?.backlog ?? 0;
    await waitDrained(drained, 600_000);
    elapsed = (performance.now() - started) / 1000;
    meter.stop();
    line('InfluxDB 1.x sustained (offered)', {
      offeredPerS: target,
      'samples/s': Math.round(produced / elapsed),
      samples: produced,
      backlogWhenOfferStopped: backlogAtEnd,
      seconds: elapsed.toFixed(1),
      peakRssMB: Math.round(meter.peakRss / MB),
      inInflux: await count(),
    });

    // 3. Outage: influxd stopped while samples keep coming; RSS must stay flat (the spool is on disk).
    await influx.stop();
    meter = new Meter();
    const rssAtStart = process.memoryUsage().rss;
    const rssEachMinute: number[] = [];
    const outageStarted = performance.now();
    let outageProduced = 0;
    while (performance.now() - outageStarted < outageSeconds * 1000) {
      const chunk = Math.min(60_000, outageSeconds * 1000 - (performance.now() - outageStarted));
      outageProduced += await produce(drained.samples, chunk, outageRate);
      rssEachMinute.push(Math.round(process.memoryUsage().rss / MB));
    }
    meter.stop();
    const outageBacklog = drained.forwarder?.backlog ?? 0;
    line('InfluxDB 1.x outage', {
      seconds: outageSeconds,
      offeredPerS: outageRate,
      samples: outageProduced,
      backlog: outageBacklog,
      rssStartMB: Math.round(rssAtStart / MB),
      peakRssMB: Math.round(meter.peakRss / MB),
      rssEachMinuteMB: rssEachMinute.join('/'),
      diskMB: (diskBytes(join(dir, 'data')) / MB).toFixed(1),
      health: String((await drained.components()).influx?.code),
    });
    await influx.start();
    meter = new Meter();
    started = performance.now();
    await waitDrained(drained, 1_800_000);
    elapsed = (performance.now() - started) / 1000;
    meter.stop();
    const expected = backlog + produced + outageProduced;
    const inInflux = await count();
    line('InfluxDB 1.x after the outage', {
      'drain samples/s': Math.round(outageBacklog / elapsed),
      seconds: elapsed.toFixed(1),
      peakRssMB: Math.round(meter.peakRss / MB),
      inInflux,
      expected,
      [inInflux === expected ? 'all present' : 'MISSING']: expected - inInflux,
    });
    await drained.close();
  } finally {
    await influx.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.stdout.write(
  `bench:store  node ${process.version}, ${seconds} s runs, ${pumps} pumps, target ${target}/s, outage ${outageSeconds} s at ${outageRate}/s\n`,
);
await benchEmbedded();
await benchAlertBurst(1_000);
if (!values['skip-influx']) await benchInflux();
