import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
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

describe('OutboxStore epochs and confirmation (issue 15)', () => {
  const reading = { v: 1 as const, ts: 1, state: 'infusing' as const, rate_mL_h: 1, vi_mL: 0, alarms: [] };

  it('gives a fresh store an epoch, keeps it across restarts, and a wiped one gets another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-outbox-epoch-'));
    const first = await OutboxStore.open(dir, { maxEntries: 100 });
    const epoch = first.epoch;
    expect(epoch).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect((await first.append('P', reading)).epoch).toBe(epoch);
    await first.close();
    const again = await OutboxStore.open(dir, { maxEntries: 100 });
    expect(again.epoch).toBe(epoch);
    await again.close();
    const wiped = await OutboxStore.open(mkdtempSync(join(tmpdir(), 'pw-outbox-epoch-')), {
      maxEntries: 100,
    });
    expect(wiped.epoch).not.toBe(epoch);
    await wiped.close();
  });

  it('keeps a store from before epochs without one: its seq counter never restarted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-outbox-legacy-'));
    const first = await OutboxStore.open(dir, { maxEntries: 100 });
    await first.append('P', reading);
    await first.close();
    const raw = new ClassicLevel<string, string>(dir);
    await raw.del('m!epoch');
    await raw.close();
    const upgraded = await OutboxStore.open(dir, { maxEntries: 100 });
    expect(upgraded.epoch).toBeUndefined();
    const next = await upgraded.append('P', reading);
    expect(next).not.toHaveProperty('epoch');
    expect(next.seq).toBe(1);
    await upgraded.close();
  });

  it('frees entries through a watermark of its own epoch, after a restart too, and reports floors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-outbox-confirm-'));
    const store = await OutboxStore.open(dir, { maxEntries: 100 });
    for (let i = 0; i < 5; i++) await store.append('P', reading);
    await store.append('Q', reading);
    expect(store.floors()).toEqual({ P: 0, Q: 0 });
    expect(await store.confirmThrough('P', 'another-epoch', 10)).toBe(0);
    expect(await store.confirmThrough('P', store.epoch, 2)).toBe(3);
    expect(store.floors()).toEqual({ P: 3, Q: 0 });
    expect(store.serverConfirms).toBe(false);
    await store.markServerConfirms();
    await store.close();
    const reopened = await OutboxStore.open(dir, { maxEntries: 100 });
    expect(reopened.serverConfirms).toBe(true);
    expect(reopened.depth).toBe(3);
    expect(await reopened.confirmThrough('P', reopened.epoch, 4)).toBe(2);
    expect(await reopened.confirmThrough('Q', reopened.epoch, 0)).toBe(1);
    expect(reopened.depth).toBe(0);
    expect(reopened.floors()).toEqual({ P: 5, Q: 1 });
    await reopened.close();
  });
});
