import { type Alert, sampleBucketSchema, type TelemetrySample } from '@pumpwatch/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/ports.js';
import { alert, sample } from '../fixtures.js';
import { assignment, patient, plannedPause, team, therapy } from './care-fixtures.js';

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

    it("keeps each sample's hub epoch, and restores only the current epoch's seqs (issue 15)", async () => {
      const store = await open(factory.freshLocation());
      // A hub without epochs (before issue 15), then its store wiped: seqs start again at 0.
      for (let seq = 0; seq <= 4; seq += 1)
        store.samples.append({
          hubId: 'h',
          pumpId: 'p1',
          receivedAt: seq,
          sample: sample({ seq, ts: 1000 + seq }),
        });
      for (let seq = 0; seq <= 1; seq += 1)
        store.samples.append({
          hubId: 'h',
          pumpId: 'p1',
          receivedAt: 10 + seq,
          sample: sample({ seq, ts: 2000 + seq, epoch: 'E2' }),
        });
      store.samples.append({
        hubId: 'h',
        pumpId: 'p2',
        receivedAt: 20,
        sample: sample({ seq: 7, ts: 3000 }),
      });
      await store.samples.committed();
      expect(await store.samples.recentSeqs(10)).toEqual([
        { pumpId: 'p1', seq: 0, epoch: 'E2' },
        { pumpId: 'p1', seq: 1, epoch: 'E2' },
        { pumpId: 'p2', seq: 7 },
      ]);
      const rows = await store.samples.query('p1', { limit: 10 });
      expect(rows.map((row) => row.epoch)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        'E2',
        'E2',
      ]);
    });

    it('resolves committed() once what was appended before it is durable, and at once when nothing is', async () => {
      const location = factory.freshLocation();
      const store = await open(location);
      await store.samples.committed();
      store.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 1, sample: sample({ seq: 1, ts: 1000 }) });
      await store.samples.committed();
      await store.close();
      const reopened = await open(location);
      expect((await reopened.samples.query('p', { limit: 10 })).map((row) => row.seq)).toEqual([1]);
    });

    it('orders samples by pump time whatever the arrival order, and knows each pump by its newest', async () => {
      const store = await open(factory.freshLocation());
      const arrivals: Array<[string, number, number]> = [
        ['p2', 1, 1000],
        ['p1', 5, 5000],
        ['p2', 2, 2000],
        ['p1', 3, 3000], // late: after seq 5 in arrival, before it in time
        ['p1', 7, 7000],
        ['p2', 3, 3000],
        ['p1', 6, 6000],
      ];
      arrivals.forEach(([pumpId, seq, ts], i) => {
        store.samples.append({ hubId: 'h', pumpId, receivedAt: i, sample: sample({ seq, ts }) });
      });
      expect((await store.samples.query('p1', { limit: 100 })).map((s) => s.seq)).toEqual([3, 5, 6, 7]);
      expect((await store.samples.query('p1', { limit: 2 })).map((s) => s.seq)).toEqual([3, 5]);
      expect(await store.samples.query('p1', { from: 8000, limit: 10 })).toEqual([]);
      expect(await store.samples.query('nobody', { limit: 10 })).toEqual([]);
      const latest = await store.samples.latestPerPump();
      expect(latest.map((row) => [row.pumpId, row.sample.seq, row.receivedAt]).sort()).toEqual([
        ['p1', 7, 4],
        ['p2', 3, 5],
      ]);
      expect(await store.samples.recentSeqs(2)).toEqual([
        { pumpId: 'p1', seq: 6 },
        { pumpId: 'p1', seq: 7 },
        { pumpId: 'p2', seq: 2 },
        { pumpId: 'p2', seq: 3 },
      ]);
    });

    it('lists alerts newest first by status, pump and raise time, within a limit', async () => {
      const store = await open(factory.freshLocation());
      const alerts = [
        alert({ id: 'a1', pumpId: 'p1', raisedAt: 1000 }),
        alert({ id: 'a2', pumpId: 'p2', raisedAt: 2000, status: 'acknowledged', acknowledgedAt: 2500 }),
        alert({ id: 'a3', pumpId: 'p1', raisedAt: 3000, status: 'resolved', resolvedAt: 3500 }),
        alert({ id: 'a4', pumpId: 'p1', raisedAt: 4000 }),
      ];
      // Saved out of raise order: the order comes from raisedAt, not from the saves.
      for (const saved of [alerts[2], alerts[0], alerts[3], alerts[1]] as typeof alerts) {
        await store.alerts.save(saved, {
          alertId: saved.id,
          type: 'raised',
          at: saved.raisedAt,
          actor: 'engine',
          alert: saved,
        });
      }
      const ids = (list: Array<{ id: string }>) => list.map((a) => a.id);
      expect(ids(await store.alerts.list('all', 10))).toEqual(['a4', 'a3', 'a2', 'a1']);
      expect(await store.alerts.list('all', 10)).toEqual([alerts[3], alerts[2], alerts[1], alerts[0]]);
      expect(ids(await store.alerts.list('all', 2))).toEqual(['a4', 'a3']);
      expect(ids(await store.alerts.list('active', 10))).toEqual(['a4', 'a1']);
      expect(ids(await store.alerts.list('all', 10, { pumpId: 'p1' }))).toEqual(['a4', 'a3', 'a1']);
      expect(ids(await store.alerts.list('all', 10, { from: 2000, to: 3000 }))).toEqual(['a3', 'a2']);
      expect(ids(await store.alerts.list('all', 10, { pumpId: 'p1', from: 1000, to: 3000 }))).toEqual([
        'a3',
        'a1',
      ]);
      expect(ids(await store.alerts.list('active', 10, { pumpId: 'p2' }))).toEqual([]);
      expect(ids(await store.alerts.unresolved())).toEqual(['a1', 'a2', 'a4']);

      const resolved = { ...(alerts[0] as Alert), status: 'resolved' as const, resolvedAt: 5000 };
      await store.alerts.save(resolved, {
        alertId: resolved.id,
        type: 'resolved',
        at: 5000,
        actor: 'engine',
        alert: resolved,
      });
      expect(ids(await store.alerts.unresolved())).toEqual(['a2', 'a4']);
      expect(await store.alerts.get('a1')).toEqual(resolved);
      expect(ids(await store.alerts.list('resolved', 10))).toEqual(['a3', 'a1']);
    });

    it('keeps each alert its own events in save order, with what they carry', async () => {
      const store = await open(factory.freshLocation());
      const first = alert({ id: 'e1' });
      const second = alert({ id: 'e2', pumpId: 'pump-2' });
      const snoozed = { ...first, snoozedUntil: 9000 };
      await store.alerts.save(first, { alertId: 'e1', type: 'raised', at: 1, actor: 'engine', alert: first });
      await store.alerts.save(second, {
        alertId: 'e2',
        type: 'raised',
        at: 2,
        actor: 'engine',
        alert: second,
      });
      await store.alerts.save(snoozed, {
        alertId: 'e1',
        type: 'snoozed',
        at: 3,
        actor: 'Joy',
        alert: snoozed,
        details: { durationMs: 600_000, reason: 'line being changed' },
      });
      expect(await store.alerts.events('e1')).toEqual([
        { alertId: 'e1', type: 'raised', at: 1, actor: 'engine', alert: first },
        {
          alertId: 'e1',
          type: 'snoozed',
          at: 3,
          actor: 'Joy',
          alert: snoozed,
          details: { durationMs: 600_000, reason: 'line being changed' },
        },
      ]);
      expect((await store.alerts.events('e2')).map((event) => event.alert)).toEqual([second]);
      expect(await store.alerts.events('never-raised')).toEqual([]);
    });

    it('keeps users and hubs, one per name, replaced on change and listed by name', async () => {
      const store = await open(factory.freshLocation());
      const user = (username: string, role: 'admin' | 'nurse' | 'viewer', passwordChangedAt = 1000) => ({
        username,
        passwordHash: `scrypt$${username}`,
        role,
        createdAt: 1000,
        passwordChangedAt,
      });
      await store.security.putUser(user('bob', 'admin'));
      await store.security.putUser(user('alice', 'nurse'));
      await store.security.putUser(user('alice', 'viewer', 5000));
      expect(await store.security.getUser('alice')).toEqual(user('alice', 'viewer', 5000));
      expect(await store.security.getUser('nobody')).toBeNull();
      expect(await store.security.listUsers()).toEqual([user('alice', 'viewer', 5000), user('bob', 'admin')]);
      expect(await store.security.deleteUser('bob')).toBe(true);
      expect(await store.security.deleteUser('bob')).toBe(false);
      expect(await store.security.listUsers()).toEqual([user('alice', 'viewer', 5000)]);
      // A name created again is a new record: nothing of the deleted one's password time is left.
      await store.security.putUser({ ...user('bob', 'nurse', 0), createdAt: 9000 });
      expect(await store.security.getUser('bob')).toEqual({ ...user('bob', 'nurse', 0), createdAt: 9000 });

      const hub = (hubId: string, hash: string) => ({
        hubId,
        passwordHash: hash,
        mosquittoHash: `$7$${hash}`,
        createdAt: 2000,
      });
      await store.security.putHub(hub('hub-b', 'one'));
      await store.security.putHub(hub('hub-a', 'two'));
      await store.security.putHub(hub('hub-b', 'three'));
      expect(await store.security.getHub('hub-b')).toEqual(hub('hub-b', 'three'));
      expect(await store.security.getHub('hub-z')).toBeNull();
      expect(await store.security.listHubs()).toEqual([hub('hub-a', 'two'), hub('hub-b', 'three')]);
    });

    it('knows revoked tokens until they expire', async () => {
      const store = await open(factory.freshLocation());
      await store.security.revokeToken('j1', 5000);
      await store.security.revokeToken('j2', 1000);
      await store.security.revokeToken('j1', 6000);
      expect((await store.security.revokedTokens(0)).sort()).toEqual(['j1', 'j2']);
      // Expired at `expiresAt` itself.
      expect(await store.security.revokedTokens(1000)).toEqual(['j1']);
      expect(await store.security.revokedTokens(5500)).toEqual(['j1']);
      expect(await store.security.revokedTokens(6000)).toEqual([]);
    });

    it('keeps an append-only audit log, newest first, filtered by time, actor and action', async () => {
      const store = await open(factory.freshLocation());
      const entries = [
        {
          at: 100,
          actor: 'admin',
          action: 'user_created',
          target: 'joy',
          before: null,
          after: { role: 'nurse' },
        },
        { at: 200, actor: 'joy', action: 'login', target: null, before: null, after: null },
        {
          at: 300,
          actor: 'admin',
          action: 'order_set',
          target: 'PUMP-1',
          before: { drug: 'a', rate: 5 },
          after: { drug: 'b', rate: 7.5, tags: ['x'] },
        },
        { at: 400, actor: 'admin', action: 'user_created', target: 'kim', before: null, after: 'viewer' },
      ];
      for (const entry of entries) await store.security.appendAudit(entry);
      const all = await store.security.audit({ limit: 10 });
      expect(all.map(({ id: _id, ...entry }) => entry)).toEqual([...entries].reverse());
      const ids = all.map((entry) => entry.id);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
      expect(new Set(ids).size).toBe(4);
      expect((await store.security.audit({ limit: 2 })).map((e) => e.at)).toEqual([400, 300]);
      expect((await store.security.audit({ actor: 'admin', limit: 10 })).map((e) => e.at)).toEqual([
        400, 300, 100,
      ]);
      expect(
        (await store.security.audit({ actor: 'admin', action: 'user_created', limit: 10 })).map((e) => e.at),
      ).toEqual([400, 100]);
      expect((await store.security.audit({ from: 200, to: 300, limit: 10 })).map((e) => e.at)).toEqual([
        300, 200,
      ]);
      expect(await store.security.audit({ actor: 'nobody', limit: 10 })).toEqual([]);
      await store.security.appendAudit({
        at: 50,
        actor: 'admin',
        action: 'login',
        target: null,
        before: null,
        after: null,
      });
      // Newest by append, not by `at`: the log is in the order things were recorded.
      const [newest] = await store.security.audit({ limit: 1 });
      expect(newest).toMatchObject({ at: 50, action: 'login' });
      expect(newest?.id).toBeGreaterThan(ids[0] as number);
    });

    it('keeps users, hubs, revocations and the audit log across a reopen', async () => {
      const location = factory.freshLocation();
      const first = await open(location);
      const user = {
        username: 'joy',
        passwordHash: 'h',
        role: 'nurse' as const,
        createdAt: 1,
        passwordChangedAt: 7,
      };
      const hub = { hubId: 'hub-1', passwordHash: 'p', mosquittoHash: 'm', createdAt: 2 };
      await first.security.putUser(user);
      await first.security.putHub(hub);
      await first.security.revokeToken('jti-1', 10_000);
      await first.security.appendAudit({
        at: 3,
        actor: 'admin',
        action: 'hub_created',
        target: 'hub-1',
        before: null,
        after: { hubId: 'hub-1' },
      });
      const [before] = await first.security.audit({ limit: 1 });
      await first.close();
      opened.splice(0);
      const second = await open(location);
      expect(await second.security.listUsers()).toEqual([user]);
      expect(await second.security.listHubs()).toEqual([hub]);
      expect(await second.security.revokedTokens(0)).toEqual(['jti-1']);
      expect(await second.security.audit({ limit: 10 })).toEqual([before]);
      await second.security.appendAudit({
        at: 4,
        actor: 'admin',
        action: 'login',
        target: null,
        before: null,
        after: null,
      });
      const [after] = await second.security.audit({ limit: 1 });
      expect(after?.id).toBeGreaterThan(before?.id as number);
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

    it('keeps care records by id, each kind apart, replaced on change and listed by id', async () => {
      const store = await open(factory.freshLocation());
      await store.care.patients.put(patient({ id: 'pat_b', displayName: 'Bea Invented' }));
      await store.care.patients.put(patient({ id: 'pat_a' }));
      const discharged = patient({ id: 'pat_b', status: 'discharged', dischargedAt: 5000, updatedAt: 5000 });
      await store.care.patients.put(discharged);
      expect(await store.care.patients.get('pat_b')).toEqual(discharged);
      expect(await store.care.patients.get('pat_none')).toBeNull();
      expect(await store.care.patients.all()).toEqual([patient({ id: 'pat_a' }), discharged]);

      const continuous = therapy({ id: 'thr_b', schedule: { kind: 'continuous' }, patientId: null });
      await store.care.therapies.put(continuous);
      await store.care.therapies.put(therapy({ id: 'thr_a' }));
      await store.care.therapies.put(therapy({ id: 'thr_a', status: 'on_hold' }));
      expect(await store.care.therapies.all()).toEqual([
        therapy({ id: 'thr_a', status: 'on_hold' }),
        continuous,
      ]);

      const ended = assignment({ to: 1_800_000_600_000, endedBy: 'coord' });
      await store.care.assignments.put(assignment());
      await store.care.assignments.put(assignment({ id: 'asg_2', from: 1_800_000_600_000 }));
      await store.care.assignments.put(ended);
      expect(await store.care.assignments.get('asg_1')).toEqual(ended);
      expect(await store.care.assignments.all()).toEqual([
        ended,
        assignment({ id: 'asg_2', from: 1_800_000_600_000 }),
      ]);

      // The same id in two kinds is two records.
      await store.care.teams.put(team({ id: 'pat_a', name: 'Shares an id with a patient' }));
      await store.care.teams.put(team());
      expect(await store.care.teams.all()).toEqual([
        team({ id: 'pat_a', name: 'Shares an id with a patient' }),
        team(),
      ]);
      expect(await store.care.patients.get('pat_a')).toEqual(patient({ id: 'pat_a' }));
      expect(await store.care.teams.get('team_none')).toBeNull();

      const endedPause = plannedPause({ endedAt: 1_800_000_600_000, endedBy: 'nurse' });
      await store.care.pauses.put(plannedPause());
      await store.care.pauses.put(endedPause);
      await store.care.pauses.put(plannedPause({ id: 'pause_0', pumpId: 'PUMP-0002' }));
      expect(await store.care.pauses.all()).toEqual([
        plannedPause({ id: 'pause_0', pumpId: 'PUMP-0002' }),
        endedPause,
      ]);
    });

    it('keeps care records across a close and reopen', async () => {
      const location = factory.freshLocation();
      const first = await open(location);
      // Asked for together: each resolves once committed, whatever else is being written.
      await Promise.all([
        first.care.patients.put(patient()),
        first.care.therapies.put(therapy()),
        first.care.assignments.put(assignment()),
        first.care.teams.put(team()),
        first.care.patients.put(patient({ id: 'pat_2' })),
        first.care.patients.put(patient({ id: 'pat_2', displayName: 'Cy Invented' })),
      ]);
      await first.close();
      opened.splice(0);
      const second = await open(location);
      expect(await second.care.patients.all()).toEqual([
        patient(),
        patient({ id: 'pat_2', displayName: 'Cy Invented' }),
      ]);
      expect(await second.care.therapies.all()).toEqual([therapy()]);
      expect(await second.care.assignments.all()).toEqual([assignment()]);
      expect(await second.care.teams.get('team_north')).toEqual(team());
    });

    it('quarantines a stored care record that fails its schema and returns the rest', async () => {
      const store = await open(factory.freshLocation());
      // Stored as given (callers validate); the check on reading is what guards a restart.
      await store.care.patients.put(patient({ id: 'pat_good' }));
      await store.care.patients.put({ ...patient({ id: 'pat_bad' }), birthDate: 'yesterday' });
      await store.care.therapies.put({ ...therapy({ id: 'thr_bad' }), order: { rate_mL_h: -5 } } as never);
      await store.care.therapies.put(therapy({ id: 'thr_good' }));
      const bad: Array<[string | undefined, unknown]> = [];
      const onBadRow = (key: string | undefined, error: unknown) => bad.push([key, error]);
      expect(await store.care.patients.all(onBadRow)).toEqual([patient({ id: 'pat_good' })]);
      expect(await store.care.therapies.all(onBadRow)).toEqual([therapy({ id: 'thr_good' })]);
      expect(bad.map(([key]) => key)).toEqual(['pat_bad', 'thr_bad']);
      expect(bad.every(([, error]) => error instanceof Error)).toBe(true);
      // Without a handler, and read alone, a bad record is an error: it is there, so not null.
      await expect(store.care.patients.all()).rejects.toThrow();
      await expect(store.care.patients.get('pat_bad')).rejects.toThrow();
      expect(await store.care.patients.get('pat_good')).toEqual(patient({ id: 'pat_good' }));
    });

    it('hands out copies of care records: changing one stored or returned changes nothing inside', async () => {
      const store = await open(factory.freshLocation());
      const stored = team({ members: ['joy'] });
      await store.care.teams.put(stored);
      stored.members.push('mallory');
      stored.name = 'Changed after put';
      const got = await store.care.teams.get(stored.id);
      got?.members.push('eve');
      const [listed] = await store.care.teams.all();
      listed?.members.push('trent');
      expect(await store.care.teams.get(stored.id)).toEqual(team({ members: ['joy'] }));
      expect(await store.care.teams.all()).toEqual([team({ members: ['joy'] })]);
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
