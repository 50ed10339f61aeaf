import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultInjector, type InjectedFault } from './fault-injector.js';
import { type FleetFaultPump, pickFaultPumps, startFaultPumpsAlone } from './fault-pumps.js';
import { fmt } from './ladder.js';
import { LoadChild } from './load-child.js';
import { setUpOnCall } from './paging-setup.js';
import { sleep, waitFor } from './proc.js';
import { type PushArrival, startPushEndpoint } from './push-endpoint.js';
import { type ServerChild, startServerChild } from './server-child.js';

export interface PagingBenchConfig {
  /** The load generator's fleet; the fault pumps are spread over it. */
  pumps: number;
  /** Telemetry offered during the loaded phase, msg/s (the issue's 10,000). */
  loadPerS: number;
  /** Faults per phase, one alert each, and how many a second. */
  alerts: number;
  alertsPerS: number;
  /** Telemetry running before the first fault (every pump heard, the server in its steady state). */
  settleMs: number;
  /**
   * The server's store: the embedded DuckDB (the default, as deployed) or memory, to see what the durable
   * writes before a page cost (docs/benchmarks.md#paging-alert--push-request).
   */
  store?: 'duckdb' | 'memory';
  log: (line: string) => void;
}

export interface Distribution {
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

export interface PagingPhaseFigures extends Distribution {
  /** 0 for the baseline. */
  loadPerS: number;
  alerts: number;
  /** Alerts whose page reached the endpoint. */
  paged: number;
  lost: number;
  /** The same alerts, from `raisedAt` (the sample's ts, Date.now at publish) to the arrival's Date.now. */
  fromRaisedAt: Distribution;
  /** Publish → the broker's PUBACK (aedes runs inside the server: its event loop's delay). */
  brokerAck: Distribution;
  /** Push requests that were not a fault's first page (none expected). */
  otherPushes: number;
  /** Samples the server ingested per second while the faults were raised. */
  ingestedPerS: number;
  /** Each alert's latency in the order raised (null: lost), to see queueing over the run. */
  series: Array<number | null>;
}

export interface PagingFigures {
  baseline: PagingPhaseFigures;
  loaded: PagingPhaseFigures;
  /** Loaded over baseline, measured in the same run: the comparable figure on a shared machine. */
  ratio: { p50: number; p99: number; max: number };
}

/** The no-load baseline, then the same faults under `loadPerS` of telemetry, each on a fresh server. */
export async function runPagingBench(config: PagingBenchConfig): Promise<PagingFigures> {
  const baseline = await runPagingPhase(config, 0);
  const loaded = await runPagingPhase(config, config.loadPerS);
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  return {
    baseline,
    loaded,
    ratio: {
      p50: ratio(loaded.p50Ms, baseline.p50Ms),
      p99: ratio(loaded.p99Ms, baseline.p99Ms),
      max: ratio(loaded.maxMs, baseline.maxMs),
    },
  };
}

/**
 * One phase: a fresh server (embedded aedes, authentication off, loopback push endpoints allowed), the
 * care team and on-call nurse with her one device (paging-setup.ts), telemetry (the load generator at
 * `loadPerS`, or with 0 only the fault pumps themselves at 1 Hz), then `alerts` faults at `alertsPerS`
 * on pumps spread across the fleet, each timed from its publish to its page arriving at the endpoint.
 */
export async function runPagingPhase(
  config: PagingBenchConfig,
  loadPerS: number,
): Promise<PagingPhaseFigures> {
  const label = loadPerS > 0 ? `${fmt(loadPerS)} msg/s` : 'no load';
  const faultPumps = pickFaultPumps(config.pumps, config.alerts);
  const pending = new Map<string, InjectedFault>();
  const done: Array<{ fault: InjectedFault; arrival: PushArrival }> = [];
  let otherPushes = 0;
  const endpoint = await startPushEndpoint((arrival) => {
    const fault = pending.get(arrival.topic);
    if (!fault) {
      otherPushes += 1;
      return;
    }
    pending.delete(arrival.topic);
    done.push({ fault, arrival });
  });
  let server: ServerChild | null = null;
  let telemetry: { stop(): Promise<void> } | null = null;
  let injector: FaultInjector | null = null;
  try {
    server = await startPagingServer(config.store ?? 'duckdb');
    const { httpUrl, mqttUrl } = server;
    await setUpOnCall(httpUrl, endpoint.origin, faultPumps);
    config.log(
      `  paging, ${label}: care team, on-call nurse with one push device, ${faultPumps.length} pumps assigned`,
    );
    telemetry =
      loadPerS > 0
        ? await LoadChild.start({ url: mqttUrl, pumps: config.pumps, hz: loadPerS / config.pumps })
        : await startFaultPumpsAlone(mqttUrl, faultPumps);
    config.log(
      `  paging, ${label}: ${loadPerS > 0 ? `${fmt(config.pumps)} pumps connected` : 'fault pumps alone at 1 Hz'}`,
    );
    await sleep(config.settleMs);
    const ready = await FaultInjector.connect(mqttUrl);
    injector = ready;
    await waitFor(
      async () => {
        await ready.prepare(
          httpUrl,
          faultPumps.map((pump) => pump.pumpId),
        );
        return true;
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'every fault pump to have sent a sample' },
    );

    const acceptedBefore = (await server.ingest()).accepted;
    const startedAt = performance.now();
    const faults = await raiseFaults(ready, faultPumps, pending, config, () => done.length, label);
    const windowS = (performance.now() - startedAt) / 1000;
    const ingestedPerS = Math.round(((await server.ingest()).accepted - acceptedBefore) / windowS);
    await waitFor(() => pending.size === 0, { timeoutMs: 10_000, what: 'the last pages' }).catch(() => {});
    const figures = summarizePhase(faults, done, otherPushes, loadPerS, ingestedPerS);
    config.log(
      `  paging, ${label}: raised → push p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ` +
        `max ${figures.maxMs} ms (${figures.paged}/${figures.alerts} paged; ${fmt(ingestedPerS)} msg/s ingested` +
        `${otherPushes > 0 ? `; ${otherPushes} other push requests` : ''})`,
    );
    return figures;
  } finally {
    // The server stops first: hubs saying goodbye to a running server would raise hub_offline alerts.
    await server?.stop().catch(() => {});
    await injector?.close().catch(() => {});
    await telemetry?.stop().catch(() => {});
    await endpoint.close().catch(() => {});
  }
}

/** A server child that takes the loopback endpoint (`paging.push.allowLoopbackEndpoints`, tests only). */
async function startPagingServer(store: 'duckdb' | 'memory'): Promise<ServerChild> {
  const configFile = join(mkdtempSync(join(tmpdir(), 'pw-bench-paging-')), 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({ store: { kind: store }, paging: { push: { allowLoopbackEndpoints: true } } }),
  );
  return startServerChild({ env: { PUMPWATCH_CONFIG: configFile } });
}

/** One fault every 1/alertsPerS s, paced against the start; progress about once a second. */
async function raiseFaults(
  injector: FaultInjector,
  pumps: readonly FleetFaultPump[],
  pending: Map<string, InjectedFault>,
  config: PagingBenchConfig,
  paged: () => number,
  label: string,
): Promise<InjectedFault[]> {
  const faults: InjectedFault[] = [];
  const started = performance.now();
  let lastReport = started;
  for (const [i, pump] of pumps.entries()) {
    const wait = started + (i * 1000) / config.alertsPerS - performance.now();
    if (wait > 0) await sleep(wait);
    const fault = injector.inject(pump.pumpId);
    pending.set(fault.pushTopic, fault);
    faults.push(fault);
    if (performance.now() - lastReport >= 5000) {
      lastReport = performance.now();
      config.log(`    ${label}: ${faults.length}/${pumps.length} faults raised, ${paged()} paged`);
    }
  }
  return faults;
}

function summarizePhase(
  faults: readonly InjectedFault[],
  done: ReadonlyArray<{ fault: InjectedFault; arrival: PushArrival }>,
  otherPushes: number,
  loadPerS: number,
  ingestedPerS: number,
): PagingPhaseFigures {
  const byAlert = new Map(done.map(({ fault, arrival }) => [fault.alertId, arrival]));
  const latencies = done.map(({ fault, arrival }) => arrival.at - fault.publishedAt);
  return {
    loadPerS,
    alerts: faults.length,
    paged: done.length,
    lost: faults.length - done.length,
    ...distribution(latencies),
    fromRaisedAt: distribution(done.map(({ fault, arrival }) => arrival.wallAt - fault.ts)),
    brokerAck: distribution(
      faults.flatMap((fault) => (fault.ackedAt === null ? [] : [fault.ackedAt - fault.publishedAt])),
    ),
    otherPushes,
    ingestedPerS,
    series: faults.map((fault) => {
      const arrival = byAlert.get(fault.alertId);
      return arrival ? round(arrival.at - fault.publishedAt) : null;
    }),
  };
}

/** Nearest-rank percentiles, as scripts/support/latency-probe.ts reports them. */
export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const pick = (q: number) =>
    round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN);
  return {
    p50Ms: pick(0.5),
    p95Ms: pick(0.95),
    p99Ms: pick(0.99),
    maxMs: round(sorted.at(-1) ?? NaN),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / Math.max(sorted.length, 1)),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
