import { sampleBucketSchema, type TelemetrySample } from '@pumpwatch/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/ports.js';
import { alert, sample } from '../fixtures.js';

export interface StoreFactory {
  /** Opens the store at `location`; opening the same location again must see what was stored. */
  open(location: string): Promise<Store>;
  freshLocation(): string;
  /**
   * Adapters that also deliver samples to a second system (InfluxDB): the points there per pump. The
   * contract then checks that every stored sample arrives there exactly once.
   */
  archived?(location: string): Promise<Record<string, number>>;
}

/** One suite every storage adapter must pass (STYLE.md: contract tests per port). */
export function describeStoreContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    const opened: Store[] = [];
    const open = async (location: string) => {
      const store = await factory.open(location);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });

    it('returns appended samples of one pump in time order within bounds', async () => {
      const store = await open(factory.freshLocation());
      for (let seq = 1; seq <= 5; seq += 1) {
        store.samples.append({
          hubId: 'h',
          pumpId: 'p1',
          receivedAt: seq,
          sample: sample({ seq, ts: seq * 1000 }),
        });
      }
      store.samples.append({ hubId: 'h', pumpId: 'p2', receivedAt: 1, sample: sample({ seq: 1, ts: 1000 }) });
      await store.samples.flush();
      const all = await store.samples.query('p1', { limit: 100 });
      expect(all.map((s) => s.seq)).toEqual([1, 2, 3, 4, 5]);
      const bounded = await store.samples.query('p1', { from: 2000, to: 4000, limit: 100 });
      expect(bounded.map((s) => s.ts)).toEqual([2000, 3000, 4000]);
      expect(await store.samples.query('p1', { limit: 2 })).toHaveLength(2);
    });

    it('round-trips every field of a sample, optional ones included', async () => {
      const store = await open(factory.freshLocation());
      const full = sample({
        seq: 9,
        alarms: ['occlusion', 'keypad_stuck'],
        hubTs: 1_000_500,
        onBattery: true,
      });
      const {
        vtbi_mL: _a,
        pressure_mmHg: _b,
        occlusionLimit_mmHg: _c,
        battery_pct: _d,
        onBattery: _e,
        ...bare
      } = sample({ seq: 10, ts: 2_000_000 });
      store.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 1, sample: full });
      store.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 2, sample: bare });
      const rows = await store.samples.query('p', { limit: 10 });
      expect(rows).toEqual([full, bare]);
    });

    it('knows the newest sample and recent seqs of every pump', async () => {
      const store = await open(factory.freshLocation());
      for (let seq = 1; seq <= 4; seq += 1) {
        store.samples.append({ hubId: 'h', pumpId: 'p1', receivedAt: seq, sample: sample({ seq, ts: seq }) });
      }
      const latest = await store.samples.latestPerPump();
      expect(latest).toHaveLength(1);
      expect(latest[0]).toMatchObject({ hubId: 'h', pumpId: 'p1', receivedAt: 4, sample: { seq: 4 } });
      const seqs = await store.samples.recentSeqs(2);
      expect(seqs).toEqual([
        { pumpId: 'p1', seq: 3 },
        { pumpId: 'p1', seq: 4 },
      ]);
    });

    it('keeps alert state and an append-only event log', async () => {
      const store = await open(factory.freshLocation());
      const raised = alert();
      await store.alerts.save(raised, {
        alertId: raised.id,
        type: 'raised',
        at: 1000,
        actor: 'engine',
        alert: raised,
      });
      const acked = {
        ...raised,
        status: 'acknowledged' as const,
        acknowledgedAt: 2000,
        acknowledgedBy: 'Joy',
      };
      await store.alerts.save(acked, {
        alertId: raised.id,
        type: 'acknowledged',
        at: 2000,
        actor: 'Joy',
        alert: acked,
      });
      expect(await store.alerts.get(raised.id)).toEqual(acked);
      expect(await store.alerts.unresolved()).toEqual([acked]);
      expect(await store.alerts.list('acknowledged', 10)).toEqual([acked]);
      expect(await store.alerts.list('resolved', 10)).toEqual([]);
      const events = await store.alerts.events(raised.id);
      expect(events.map((event) => [event.type, event.actor, event.at])).toEqual([
        ['raised', 'engine', 1000],
        ['acknowledged', 'Joy', 2000],
      ]);
      expect(await store.alerts.get('nope')).toBeNull();
    });

    it('still has everything after it is closed and opened again', async () => {
      const location = factory.freshLocation();
      const first = await open(location);
      first.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 1, sample: sample({ seq: 1 }) });
      const raised = alert();
      await first.alerts.save(raised, {
        alertId: raised.id,
        type: 'raised',
        at: 1,
        actor: 'engine',
        alert: raised,
      });
      await first.close();
      opened.splice(0);
      const second = await open(location);
      expect(await second.samples.query('p', { limit: 10 })).toHaveLength(1);
      expect(await second.alerts.unresolved()).toEqual([raised]);
    });

    it('keeps one order and one rule setting per pump, replaced on change, across a reopen', async () => {
      const location = factory.freshLocation();
      const first = await open(location);
      const order = (pumpId: string, drug: string) => ({
        pumpId,
        drug,
        rate_mL_h: 50,
        vtbi_mL: 100,
        tolerance_pct: 10,
        updatedAt: 1,
        updatedBy: 'admin',
      });
      const setting = (pumpId: string, lowPct: number) => ({
        pumpId,
        overrides: { battery: { lowPct } },
        updatedAt: 2,
        updatedBy: 'admin',
      });
      await first.orders.put(order('b', 'ceftriaxone 2 g'));
      await first.orders.put(order('a', 'vancomycin 1 g'));
      await first.orders.put(order('b', 'cefazolin 2 g'));
      await first.pumpParams.put(setting('a', 30));
      await first.pumpParams.put(setting('a', 35));
      await first.pumpParams.put(setting('c', 25));
      expect(await first.pumpParams.delete('c')).toBe(true);
      expect(await first.pumpParams.delete('c')).toBe(false);
      await first.close();
      opened.splice(0);
      const second = await open(location);
      expect(await second.orders.all()).toEqual([order('a', 'vancomycin 1 g'), order('b', 'cefazolin 2 g')]);
      expect(await second.pumpParams.all()).toEqual([setting('a', 35)]);
      expect(await second.orders.delete('a')).toBe(true);
      expect(await second.orders.all()).toEqual([order('b', 'cefazolin 2 g')]);
    });

    it('summarises a pump per time bucket: count, min, max and mean, absent values left out', async () => {
      const store = await open(factory.freshLocation());
      const base = 1_800_000_000_000; // a multiple of the 60 s step
      const rows: Array<[number, Partial<TelemetrySample>]> = [
        [0, { rate_mL_h: 10, pressure_mmHg: 50, battery_pct: 90 }],
        [20_000, { rate_mL_h: 20, pressure_mmHg: 70, battery_pct: 89 }],
        [59_999, { rate_mL_h: 30, pressure_mmHg: 90, battery_pct: 88 }],
        // Second bucket: no pressure and no battery reported at all.
        [60_000, { rate_mL_h: 5, pressure_mmHg: undefined, battery_pct: undefined }],
        // Fourth bucket (the third is empty and absent).
        [180_500, { rate_mL_h: 7, pressure_mmHg: 100, battery_pct: 80 }],
      ];
      rows.forEach(([offset, fields], index) => {
        const { pressure_mmHg, battery_pct, ...rest } = sample({
          seq: index + 1,
          ts: base + offset,
          vi_mL: index,
          ...fields,
        });
        const full: TelemetrySample = {
          ...rest,
          ...(pressure_mmHg !== undefined ? { pressure_mmHg } : {}),
          ...(battery_pct !== undefined ? { battery_pct } : {}),
        };
        store.samples.append({ hubId: 'h', pumpId: 'p1', receivedAt: base, sample: full });
      });
      store.samples.append({
        hubId: 'h',
        pumpId: 'p2',
        receivedAt: base,
        sample: sample({ seq: 1, ts: base }),
      });

      const buckets = await store.samples.buckets('p1', { step: 60_000, limit: 100 });
      expect(buckets.map((bucket) => sampleBucketSchema.parse(bucket))).toEqual(buckets);
      expect(buckets.map((bucket) => [bucket.t - base, bucket.n])).toEqual([
        [0, 3],
        [60_000, 1],
        [180_000, 1],
      ]);
      expect(buckets[0]?.rate_mL_h).toEqual({ min: 10, max: 30, mean: 20 });
      expect(buckets[0]?.pressure_mmHg).toEqual({ min: 50, max: 90, mean: 70 });
      expect(buckets[0]?.vi_mL).toEqual({ min: 0, max: 2, mean: 1 });
      expect(buckets[0]?.battery_pct?.mean).toBeCloseTo(89);
      expect(buckets[1]).toMatchObject({
        rate_mL_h: { min: 5, max: 5, mean: 5 },
        pressure_mmHg: null,
        battery_pct: null,
      });

      const bounded = await store.samples.buckets('p1', {
        step: 60_000,
        from: base + 20_000,
        to: base + 60_000,
        limit: 100,
      });
      expect(bounded.map((bucket) => [bucket.t - base, bucket.n])).toEqual([
        [0, 2],
        [60_000, 1],
      ]);
      expect(await store.samples.buckets('p1', { step: 60_000, limit: 2 })).toHaveLength(2);
      expect(await store.samples.buckets('nobody', { step: 60_000, limit: 10 })).toEqual([]);
    });

    it('retention deletes what was received before the cutoff and keeps the rest', async () => {
      const store = await open(factory.freshLocation());
      for (let seq = 1; seq <= 5; seq += 1) {
        store.samples.append({
          hubId: 'h',
          pumpId: 'p1',
          receivedAt: seq * 1000,
          sample: sample({ seq, ts: seq }),
        });
      }
      store.samples.append({
        hubId: 'h',
        pumpId: 'p2',
        receivedAt: 10_000,
        sample: sample({ seq: 1, ts: 1 }),
      });
      // An adapter that forwards keeps samples until they are delivered, so this may take a moment.
      let deleted = 0;
      await expect
        .poll(
          async () => {
            deleted += await store.samples.prune(3000);
            return deleted;
          },
          { timeout: 15_000 },
        )
        .toBe(2);
      expect((await store.samples.query('p1', { limit: 10 })).map((s) => s.seq)).toEqual([3, 4, 5]);
      expect(await store.samples.query('p2', { limit: 10 })).toHaveLength(1);
      expect(await store.samples.prune(3000)).toBe(0);
      const latest = await store.samples.latestPerPump();
      expect(latest.map((row) => [row.pumpId, row.sample.seq]).sort()).toEqual([
        ['p1', 5],
        ['p2', 1],
      ]);
    });

    it('reports itself healthy', async () => {
      const store = await open(factory.freshLocation());
      expect((await store.health()).ok).toBe(true);
    });

    if (factory.archived) {
      const archived = factory.archived.bind(factory);
      it('delivers every stored sample to its second system exactly once', async () => {
        const location = factory.freshLocation();
        const store = await open(location);
        // Recent times: some destinations refuse points far from now (VictoriaMetrics: beyond 2 days ahead).
        const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
        for (let seq = 1; seq <= 300; seq += 1) {
          for (const pumpId of ['p1', 'p2', 'p3']) {
            store.samples.append({
              hubId: 'h',
              pumpId,
              receivedAt: base,
              sample: sample({ seq, ts: base + seq * 1000 }),
            });
          }
        }
        await store.samples.flush();
        await expect
          .poll(() => archived(location), { timeout: 20_000, interval: 200 })
          .toEqual({ p1: 300, p2: 300, p3: 300 });
      });
    }
  });
}
