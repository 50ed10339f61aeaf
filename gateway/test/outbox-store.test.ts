import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { OutboxStore } from '../src/outbox/outbox-store.js';
import type { PumpReadingSample } from '../src/sources/pump-source.js';

const stores: OutboxStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

function freshDir(): string {
  return mkdtempSync(join(tmpdir(), 'pumpwatch-gw-store-'));
}

async function open(dir: string, maxEntries = 1000): Promise<OutboxStore> {
  const store = await OutboxStore.open(dir, { maxEntries });
  stores.push(store);
  return store;
}

function sample(ts: number): PumpReadingSample {
  return { v: 1, ts, state: 'infusing', rate_mL_h: 100, vi_mL: 1, alarms: [] };
}

describe('OutboxStore', () => {
  it('numbers each pump from 0, independently', async () => {
    const store = await open(freshDir());
    const seqs = [];
    for (const pumpId of ['A', 'B', 'A', 'A', 'B']) seqs.push((await store.append(pumpId, sample(1))).seq);
    expect(seqs).toEqual([0, 0, 1, 2, 1]);
    expect(store.lastSeq('A')).toBe(2);
    expect(store.lastSeq('C')).toBeUndefined();
  });

  it('never repeats a seq across close and reopen, even with the outbox emptied', async () => {
    const dir = freshDir();
    const first = await open(dir);
    for (let i = 0; i < 5; i++) await first.append('A', sample(i + 1));
    for (const entry of await first.readAfter(-1, 100)) await first.remove(entry.id);
    expect(first.depth).toBe(0);
    await first.close();

    const second = await open(dir);
    expect(second.lastSeq('A')).toBe(4);
    expect((await second.append('A', sample(10))).seq).toBe(5);
  });

  it('gives distinct, increasing seqs to concurrent appends and keeps them in FIFO order', async () => {
    const dir = freshDir();
    const store = await open(dir);
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => store.append(i % 2 ? 'A' : 'B', sample(i + 1))),
    );
    expect(results.filter((_, i) => i % 2).map((s) => s.seq)).toEqual(
      Array.from({ length: 150 }, (_, i) => i),
    );
    await store.close();

    const reopened = await open(dir);
    expect(reopened.depth).toBe(300);
    const entries = await reopened.readAfter(-1, 1000);
    expect(entries.map((e) => e.sample.ts)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const afterTen = await reopened.readAfter(entries[9]?.id ?? 0, 3);
    expect(afterTen.map((e) => e.sample.ts)).toEqual([11, 12, 13]);
  });

  it('drops the oldest entries beyond the budget, counts them and remembers the count', async () => {
    const dir = freshDir();
    const store = await open(dir, 10);
    for (let i = 1; i <= 25; i++) await store.append('A', sample(i));
    expect(store.depth).toBe(10);
    expect(store.dropped).toBe(15);
    const kept = await store.readAfter(-1, 100);
    expect(kept.map((e) => e.sample.seq)).toEqual([15, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    await store.close();

    const reopened = await open(dir, 10);
    expect(reopened.dropped).toBe(15);
    expect(reopened.depth).toBe(10);
    expect((await reopened.append('A', sample(26))).seq).toBe(25);
  });

  it('drops within a burst larger than the whole budget', async () => {
    const store = await open(freshDir(), 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.append('A', sample(i + 1))));
    expect(store.depth).toBe(4);
    expect(store.dropped).toBe(6);
    expect((await store.readAfter(-1, 100)).map((e) => e.sample.seq)).toEqual([6, 7, 8, 9]);
  });

  it('refuses appends once closed, with a stable code', async () => {
    const store = await open(freshDir());
    await store.close();
    await expect(store.append('A', sample(1))).rejects.toMatchObject({ code: 'STORE_CLOSED' });
  });
});

describe('OutboxStore locking', () => {
  it('refuses a second open of the same data dir with a stable code', async () => {
    const dir = freshDir();
    await open(dir);
    await expect(OutboxStore.open(dir, { maxEntries: 10 })).rejects.toMatchObject({
      code: 'STORE_OPEN_FAILED',
    });
  });
});
