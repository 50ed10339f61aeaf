import type { Alert } from '@pumpwatch/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/ports.js';
import { sample } from '../fixtures.js';

export interface StoreFactory {
  /** Opens the store at `location`; opening the same location again must see what was stored. */
  open(location: string): Promise<Store>;
  freshLocation(): string;
}

function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 'pump-1.occlusion_downstream.1',
    hubId: 'hub-1',
    pumpId: 'pump-1',
    rule: 'occlusion_downstream',
    priority: 'high',
    status: 'active',
    raisedAt: 1000,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    message: 'occlusion',
    details: { pressure_mmHg: 310 },
    latched: false,
    snoozedUntil: null,
    escalationLevel: 0,
    escalatedAt: null,
    ...overrides,
  };
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

    it('reports itself healthy', async () => {
      const store = await open(factory.freshLocation());
      expect((await store.health()).ok).toBe(true);
    });
  });
}
