import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GatewayStatus, OutboxStore } from '@pumpwatch/gateway';
import type { SamplesResponse } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { GatewayProcess } from './support/gateway-process.js';
import { getJson, startTestServer } from './support/server-harness.js';
import { sleep, waitFor } from './support/wait.js';

const PUMPS = ['PUMP-KILL-1', 'PUMP-KILL-2', 'PUMP-KILL-3'];
const MAX_IN_FLIGHT = 32;

/**
 * Issue 3: the gateway process is SIGKILLed mid-stream (20 Hz per pump, publishes in flight) and
 * restarted on the same data directory. Nothing it had read is lost; seq never repeats; the server's
 * dedup on (pump, seq) absorbs the duplicates at-least-once allows.
 */
describe('gateway killed with SIGKILL mid-stream and restarted', () => {
  let server: PumpwatchServer | undefined;
  let gateway: GatewayProcess | undefined;

  afterAll(async () => {
    await gateway?.kill('SIGTERM');
    await server?.stop();
  });

  it('loses nothing, repeats no seq, and the server stores each seq once', async () => {
    server = await startTestServer({ pumpOfflineAfterMs: 600_000 });
    const httpUrl = server.httpUrl;
    const dir = mkdtempSync(join(tmpdir(), 'pw-gw-kill-'));
    const dataDir = join(dir, 'data');
    const configFile = join(dir, 'gateway.yaml');
    writeFileSync(
      configFile,
      stringify({
        hubId: 'HUB-KILL',
        mqtt: { url: server.mqttUrl, reconnectPeriodMs: 200 },
        dataDir,
        heartbeatMs: 2000,
        outbox: { maxInFlight: MAX_IN_FLIGHT },
        status: { port: 0 },
        pumps: PUMPS.map((pumpId) => ({ pumpId, driver: 'simulated', intervalMs: 50 })),
      }),
    );
    gateway = new GatewayProcess(configFile);
    const process = gateway;
    const storedSeqs = async (pumpId: string) =>
      (await getJson<SamplesResponse>(`${httpUrl}/api/pumps/${pumpId}/samples?limit=10000`)).body.samples;

    await process.start();
    await waitFor(async () => (await Promise.all(PUMPS.map(storedSeqs))).every((s) => s.length >= 40), {
      what: 'samples from the first run',
    });
    const beforeKill = (await getJson<GatewayStatus>(process.statusUrl as string)).body;
    await process.kill('SIGKILL');
    const lastSeqAtKill = Math.max(...PUMPS.map((p) => beforeKill.pumps[p]?.lastSeq ?? -1));

    // What survived on disk: seq counters and the unacknowledged backlog.
    const crashed = await OutboxStore.open(dataDir, { maxEntries: 100_000 });
    const lastSeqAfterCrash = new Map(PUMPS.map((p) => [p, crashed.lastSeq(p) ?? -1]));
    await crashed.close();
    expect(Math.min(...lastSeqAfterCrash.values())).toBeGreaterThanOrEqual(Math.min(lastSeqAtKill, 40) - 1);

    await process.start();
    await sleep(2500);
    const afterRestart = (await getJson<GatewayStatus>(process.statusUrl as string)).body;
    for (const pumpId of PUMPS) {
      // seq continued from what was on disk: no repeat, no step back.
      expect(afterRestart.pumps[pumpId]?.lastSeq).toBeGreaterThan(lastSeqAfterCrash.get(pumpId) as number);
    }
    expect(await process.kill('SIGTERM')).toBe(0);

    const finished = await OutboxStore.open(dataDir, { maxEntries: 100_000 });
    const leftovers = await finished.readAfter(-1, 10_000);
    const lastSeqs = new Map(PUMPS.map((p) => [p, finished.lastSeq(p) ?? -1]));
    await finished.close();

    for (const pumpId of PUMPS) {
      const lastSeq = lastSeqs.get(pumpId) as number;
      const all = [...Array(lastSeq + 1).keys()];
      const waiting = leftovers.filter((entry) => entry.pumpId === pumpId).map((entry) => entry.sample.seq);
      const delivered = all.slice(0, all.length - waiting.length);
      expect(waiting).toEqual(all.slice(delivered.length));
      await waitFor(async () => (await storedSeqs(pumpId)).length >= delivered.length, {
        what: `${pumpId}: every delivered sample stored`,
      });
      const samples = await storedSeqs(pumpId);
      const seqs = samples.map((sample) => sample.seq);
      expect(seqs.length).toBe(new Set(seqs).size);
      // What is still held is the tail the server had not confirmed; some of it may be stored already.
      const sorted = [...seqs].sort((a, b) => a - b);
      expect(sorted.slice(0, delivered.length)).toEqual(delivered);
      expect(sorted).toEqual(all.slice(0, sorted.length));
      // One sample per seq, and a later seq is a later reading: a repeated seq would break this.
      const bySeq = [...samples].sort((a, b) => a.seq - b.seq);
      for (let i = 1; i < bySeq.length; i++)
        expect((bySeq[i]?.hubTs as number) > (bySeq[i - 1]?.hubTs as number)).toBe(true);
    }
    const health = (await getJson<{ ingest?: { duplicates?: number } }>(`${httpUrl}/api/health`)).body;
    const duplicates = health.ingest?.duplicates ?? 0;
    // At-least-once: only what was in flight at the kill (or at the graceful stop) comes twice.
    expect(duplicates).toBeLessThanOrEqual(2 * MAX_IN_FLIGHT);
    console.log(
      `sigkill: last seqs ${[...lastSeqs.values()].join(', ')}; ${leftovers.length} left in the outbox after the stop; ` +
        `server duplicates ${duplicates}`,
    );
  }, 90_000);
});
