import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DuckDbStore, openDuckDbStore } from '../../src/store/duckdb/open-duckdb-store.js';
import { sample } from '../fixtures.js';

const stores: DuckDbStore[] = [];
async function open(options: { pruneChunk?: number; dataDir?: string } = {}): Promise<DuckDbStore> {
  const dataDir = options.dataDir ?? join(mkdtempSync(join(tmpdir(), 'pw-retention-')), 'data');
  const store = await openDuckDbStore({
    dataDir,
    flushIntervalMs: 60_000,
    ...(options.pruneChunk ? { pruneChunk: options.pruneChunk } : {}),
  });
  stores.push(store);
  return store;
}
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

describe('embedded store retention', () => {
  it('deletes in small transactions while new samples keep being committed', async () => {
    const store = await open({ pruneChunk: 5_000 });
    for (let seq = 1; seq <= 100_000; seq += 1) {
      store.samples.append({
        hubId: 'h',
        pumpId: `p${seq % 50}`,
        receivedAt: 1_000,
        sample: sample({ seq, ts: seq }),
      });
    }
    await store.samples.flush();

    let pruned = false;
    const prune = store.samples.prune(2_000).then((deleted) => {
      pruned = true;
      return deleted;
    });
    // Ingest goes on during the prune: each flush is a commit of its own and must not wait for the end.
    const committedDuringPrune: number[] = [];
    for (let seq = 1; !pruned && seq <= 10_000; seq += 1) {
      store.samples.append({
        hubId: 'h',
        pumpId: 'fresh',
        receivedAt: 5_000,
        sample: sample({ seq, ts: seq }),
      });
      if (seq % 100 === 0) {
        await store.samples.flush();
        if (!pruned) committedDuringPrune.push(seq);
      }
    }
    expect(await prune).toBe(100_000);
    expect(committedDuringPrune.length).toBeGreaterThan(0);
    const fresh = await store.samples.query('fresh', { limit: 10_000 });
    expect(fresh.length).toBeGreaterThanOrEqual(committedDuringPrune.at(-1) ?? 0);
    expect(await store.samples.query('p1', { limit: 10 })).toEqual([]);
  });

  it('keeps every sample a forwarder has not delivered yet', async () => {
    const store = await open();
    for (let seq = 1; seq <= 10; seq += 1) {
      store.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: seq, sample: sample({ seq, ts: seq }) });
    }
    await store.samples.flush();
    expect(await store.spool.position('influx-test')).toBe(0);
    expect(await store.samples.prune(100)).toBe(0);
    const spooled = await store.spool.read(0, 4);
    await store.spool.acknowledge('influx-test', (spooled.at(-1) as { id: number }).id);
    expect(await store.samples.prune(100)).toBe(4);
    expect((await store.samples.query('p', { limit: 100 })).map((s) => s.seq)).toEqual([5, 6, 7, 8, 9, 10]);
  });
});
