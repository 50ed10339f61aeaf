import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SamplesResponse } from '@pumpwatch/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningInfluxd, startInfluxd } from './support/influxd.js';
import { getJson } from './support/server-harness.js';
import { ServerProcess } from './support/server-process.js';
import { TelemetryPublisher } from './support/telemetry-publisher.js';
import { sleep, waitFor } from './support/wait.js';

const PUMPS = ['KILL-1', 'KILL-2', 'KILL-3'];

/** Every seq of a pump the server has stored, oldest first, read page by page. */
async function storedSeqs(server: ServerProcess, pumpId: string): Promise<number[]> {
  const seqs: number[] = [];
  let from = 0;
  for (;;) {
    const { status, body } = await getJson<SamplesResponse>(
      `${server.httpUrl}/api/pumps/${pumpId}/samples?from=${from}&limit=10000`,
    );
    if (status === 404) return seqs;
    const fresh = body.samples.filter((sample) => sample.ts > from || from === 0);
    seqs.push(...fresh.map((sample) => sample.seq));
    if (body.samples.length < 10_000) return seqs;
    from = (body.samples.at(-1) as { ts: number }).ts;
  }
}

/**
 * What the store has acknowledged: a samples query commits everything before it reads, so every sample
 * it returns is durable. Polled while the publisher runs; returns the highest seq seen per pump.
 */
function watchAcknowledged(server: ServerProcess) {
  const acknowledged = new Map<string, number>(PUMPS.map((pumpId) => [pumpId, 0]));
  const lastTs = new Map<string, number>();
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      for (const pumpId of PUMPS) {
        const response = await getJson<SamplesResponse>(
          `${server.httpUrl}/api/pumps/${pumpId}/samples?limit=10000&from=${lastTs.get(pumpId) ?? 0}`,
        ).catch(() => undefined);
        const last = response?.body.samples?.at(-1);
        if (last && last.seq > (acknowledged.get(pumpId) ?? 0)) {
          acknowledged.set(pumpId, last.seq);
          lastTs.set(pumpId, last.ts);
        }
      }
      await sleep(50);
    }
  })();
  return {
    acknowledged,
    async stop() {
      stopped = true;
      await running;
    },
  };
}

function expectContiguous(seqs: number[], atLeast: number): void {
  expect(new Set(seqs).size).toBe(seqs.length);
  const sorted = [...seqs].sort((a, b) => a - b);
  expect(sorted[0]).toBe(1);
  expect(sorted.at(-1)).toBe(sorted.length);
  expect(sorted.length).toBeGreaterThanOrEqual(atLeast);
}

interface KillOutcome {
  /** Per pump, the highest seq the store had acknowledged (a query had returned it). */
  acknowledged: Map<string, number>;
  /** Per pump, the highest seq the broker had answered with a PUBACK. */
  pubacked: Map<string, number>;
}

async function ingestThenKill(server: ServerProcess): Promise<KillOutcome> {
  const publisher = new TelemetryPublisher({
    mqttUrl: server.mqttUrl,
    hubId: 'hub-kill',
    pumpIds: PUMPS,
    ratePerPump: 0,
  });
  await publisher.start();
  const watcher = watchAcknowledged(server);
  await waitFor(() => [...watcher.acknowledged.values()].every((seq) => seq >= 2000), {
    timeoutMs: 60_000,
    what: '2,000 acknowledged samples per pump',
  });
  // Killed in the middle of ingest: the publisher is still sending and the store still committing.
  await server.kill('SIGKILL');
  await watcher.stop();
  await publisher.stop();
  expect(publisher.total).toBeGreaterThan([...watcher.acknowledged.values()].reduce((a, b) => a + b, 0));
  return { acknowledged: watcher.acknowledged, pubacked: publisher.pubacked };
}

/**
 * The known gap (docs/storage.md): the broker's PUBACK comes before the store's commit. Not asserted;
 * shown as a test annotation so every run reports it.
 */
async function reportPubackGap(
  annotate: (message: string) => Promise<unknown>,
  outcome: KillOutcome,
  stored: Map<string, number>,
): Promise<void> {
  const gaps = PUMPS.map(
    (pumpId) => `${pumpId} ${(outcome.pubacked.get(pumpId) ?? 0) - (stored.get(pumpId) ?? 0)}`,
  );
  await annotate(`PUBACKed by the broker but not stored at the SIGKILL: ${gaps.join(', ')}`);
}

describe('server SIGKILL during ingest', () => {
  const servers: ServerProcess[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.kill('SIGKILL');
  });

  it('keeps every sample the embedded store acknowledged', async ({ annotate }) => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-sigkill-')), 'data');
    const server = await ServerProcess.start({ dataDir });
    servers.push(server);
    const outcome = await ingestThenKill(server);

    await server.start();
    const stored = new Map<string, number>();
    for (const pumpId of PUMPS) {
      const seqs = await storedSeqs(server, pumpId);
      expectContiguous(seqs, outcome.acknowledged.get(pumpId) ?? 1);
      stored.set(pumpId, seqs.length);
    }
    await reportPubackGap(annotate, outcome, stored);
  });

  describe('with InfluxDB 1.x configured', () => {
    let influx: RunningInfluxd;
    beforeAll(async () => {
      influx = await startInfluxd();
      await influx.createDatabase('killed');
    });
    afterAll(async () => {
      await influx?.dispose();
    });

    it('delivers every acknowledged sample to InfluxDB exactly once after the restart', async ({
      annotate,
    }) => {
      const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-sigkill-influx-')), 'data');
      const server = await ServerProcess.start({
        dataDir,
        env: { PUMPWATCH_INFLUX_URL: influx.url, PUMPWATCH_INFLUX_DATABASE: 'killed' },
      });
      servers.push(server);
      const outcome = await ingestThenKill(server);

      await server.start();
      await waitFor(
        async () => {
          const { body } = await getJson<{ components: { influx: { ok: boolean; backlog: number } } }>(
            `${server.httpUrl}/api/health`,
          );
          return body.components.influx.ok && body.components.influx.backlog === 0;
        },
        { timeoutMs: 60_000, what: 'the InfluxDB backlog to drain after the restart' },
      );
      const series = await influx.query(
        'SELECT count(seq), min(seq), max(seq) FROM pump_telemetry GROUP BY pump',
        'killed',
      );
      const storedCounts = new Map<string, number>();
      for (const pumpId of PUMPS) {
        const stored = await storedSeqs(server, pumpId);
        expectContiguous(stored, outcome.acknowledged.get(pumpId) ?? 1);
        storedCounts.set(pumpId, stored.length);
        const [, count, min, max] = series.find((one) => one.tags?.pump === pumpId)?.values[0] ?? [];
        // As many points as stored samples, seq 1 to n with none missing: each landed exactly once.
        expect({ count, min, max }).toEqual({ count: stored.length, min: 1, max: stored.length });
      }
      await reportPubackGap(annotate, outcome, storedCounts);
    });
  });
});
