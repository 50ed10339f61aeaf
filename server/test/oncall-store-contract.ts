import type { EscalationPolicy, Override, Rotation } from '@pumpwatch/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { OnCallStore } from '../src/oncall/ports.js';

/** A store with an OnCallStore, opened at a location (reopening a location sees what it kept). */
export interface OnCallStoreFactory {
  freshLocation(): string;
  open(location: string): Promise<{ oncall: OnCallStore; close(): Promise<void> }>;
  /** Writes a raw record behind the store's back (closed), as a disk fault or older server could. */
  plant(location: string, kind: keyof OnCallStore, key: string, json: string): Promise<void>;
}

export function rotation(overrides: Partial<Rotation> = {}): Rotation {
  return {
    id: 'rot_1',
    teamId: 'team_north',
    name: 'Primary',
    shift: 'weekly',
    handoffTime: '07:00',
    handoffWeekday: 1,
    startDate: '2026-03-02',
    members: ['ana', 'ben'],
    archivedAt: null,
    createdAt: 1000,
    updatedAt: 1000,
    updatedBy: 'lead',
    ...overrides,
  };
}

export function override(overrides: Partial<Override> = {}): Override {
  return {
    id: 'ovr_1',
    teamId: 'team_north',
    rotationId: 'rot_1',
    username: 'cy',
    replaces: 'ben',
    from: 1_800_000_000_000,
    to: 1_800_000_036_000,
    note: 'I take Tuesday night for Ben',
    createdAt: 1000,
    createdBy: 'cy',
    cancelledAt: null,
    cancelledBy: null,
    ...overrides,
  };
}

export function policy(overrides: Partial<EscalationPolicy> = {}): EscalationPolicy {
  return {
    teamId: 'team_north',
    leadUsername: 'lena',
    steps: [
      {
        targets: [{ kind: 'rotation', rotationId: 'rot_1' }],
        delayMs: { high: 120_000, medium: 600_000, low: null },
      },
      {
        targets: [{ kind: 'team_lead' }, { kind: 'webhook', url: 'https://pager.example/x' }],
        delayMs: { high: 60_000, medium: 60_000, low: 60_000 },
      },
    ],
    repeat: 2,
    stopOn: ['acknowledged', 'resolved'],
    updatedAt: 2000,
    updatedBy: 'coord',
    ...overrides,
  };
}

/** The one contract every OnCallStore adapter keeps (docs/oncall.md#storage). */
export function describeOnCallStoreContract(name: string, factory: OnCallStoreFactory): void {
  describe(`on-call store contract: ${name}`, () => {
    const open: Array<{ close(): Promise<void> }> = [];
    const openStore = async (location: string) => {
      const store = await factory.open(location);
      open.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close().catch(() => undefined);
    });

    it('keeps each kind by its key, replaced on change and listed by key', async () => {
      const { oncall } = await openStore(factory.freshLocation());
      await oncall.rotations.put(rotation({ id: 'rot_b' }));
      await oncall.rotations.put(rotation({ id: 'rot_a' }));
      await oncall.rotations.put(rotation({ id: 'rot_b', members: ['cy'] }));
      expect(await oncall.rotations.all()).toEqual([
        rotation({ id: 'rot_a' }),
        rotation({ id: 'rot_b', members: ['cy'] }),
      ]);
      expect(await oncall.rotations.get('rot_none')).toBeNull();

      await oncall.overrides.put(override());
      await oncall.overrides.put(override({ cancelledAt: 5000, cancelledBy: 'cy' }));
      expect(await oncall.overrides.get('ovr_1')).toEqual(override({ cancelledAt: 5000, cancelledBy: 'cy' }));

      // Policies are keyed by team, feed tokens by username: the same key in two kinds is two records.
      await oncall.policies.put(policy());
      await oncall.policies.put(policy({ teamId: 'rot_a', leadUsername: null }));
      expect(await oncall.policies.get('team_north')).toEqual(policy());
      expect((await oncall.policies.all()).map((p) => p.teamId)).toEqual(['rot_a', 'team_north']);
      await oncall.feedTokens.put({ username: 'ana', sha256: 'a'.repeat(64), createdAt: 1 });
      await oncall.feedTokens.put({ username: 'ana', sha256: null, createdAt: 1 });
      expect(await oncall.feedTokens.all()).toEqual([{ username: 'ana', sha256: null, createdAt: 1 }]);
      expect(await oncall.rotations.get('rot_a')).toEqual(rotation({ id: 'rot_a' }));

      // Page records by alert id, replaced as paging moves on.
      const page = {
        alertId: 'PUMP-1:occlusion_downstream:7',
        pumpId: 'PUMP-1',
        hubId: 'hub-1',
        teamId: 'team_north',
        priority: 'high' as const,
        attempt: 1,
        nextAt: 120_000,
        sending: null,
        state: 'paging' as const,
        stopped: null,
        reached: ['ana'],
        pagesReached: 1,
        createdAt: 0,
        updatedAt: 1,
      };
      await oncall.pages.put({ ...page, attempt: 0, sending: { attempt: 0, startedAt: 0 } });
      await oncall.pages.put(page);
      expect(await oncall.pages.all()).toEqual([page]);
      expect(await oncall.pages.get('nope')).toBeNull();
    });

    it('keeps what was put across a close and reopen', async () => {
      const location = factory.freshLocation();
      const first = await openStore(location);
      // Not awaited one by one: puts made together are durable together once each has resolved.
      await Promise.all([
        first.oncall.rotations.put(rotation()),
        first.oncall.overrides.put(override()),
        first.oncall.policies.put(policy()),
        first.oncall.feedTokens.put({ username: 'cy', sha256: 'b'.repeat(64), createdAt: 3 }),
        first.oncall.rotations.put(rotation({ id: 'rot_2', archivedAt: 9000 })),
      ]);
      await first.close();
      const second = await openStore(location);
      expect(await second.oncall.rotations.all()).toEqual([
        rotation(),
        rotation({ id: 'rot_2', archivedAt: 9000 }),
      ]);
      expect(await second.oncall.overrides.all()).toEqual([override()]);
      expect(await second.oncall.policies.get('team_north')).toEqual(policy());
      expect(await second.oncall.feedTokens.get('cy')).toEqual({
        username: 'cy',
        sha256: 'b'.repeat(64),
        createdAt: 3,
      });
    });

    it('quarantines a stored record that fails its schema or sits under another key', async () => {
      const location = factory.freshLocation();
      const first = await openStore(location);
      await first.oncall.rotations.put(rotation({ id: 'rot_good' }));
      await first.close();
      await factory.plant(
        location,
        'rotations',
        'rot_bad',
        JSON.stringify({ ...rotation({ id: 'rot_bad' }), handoffTime: '25:00' }),
      );
      await factory.plant(
        location,
        'rotations',
        'rot_moved',
        JSON.stringify(rotation({ id: 'rot_elsewhere' })),
      );
      await factory.plant(location, 'policies', 'team_x', '{"teamId": "team_x", ');
      const second = await openStore(location);
      const keys: Array<string | undefined> = [];
      expect(await second.oncall.rotations.all((key) => keys.push(key))).toEqual([
        rotation({ id: 'rot_good' }),
      ]);
      expect(keys).toEqual(['rot_bad', 'rot_moved']);
      expect(await second.oncall.policies.all((key) => keys.push(key))).toEqual([]);
      expect(keys).toEqual(['rot_bad', 'rot_moved', 'team_x']);
      await expect(second.oncall.rotations.all()).rejects.toThrow();
      await expect(second.oncall.rotations.get('rot_bad')).rejects.toThrow();
    });

    it('hands out copies: changing a record after put or after get changes nothing stored', async () => {
      const { oncall } = await openStore(factory.freshLocation());
      const stored = rotation();
      await oncall.rotations.put(stored);
      stored.members.push('mallory');
      const got = (await oncall.rotations.get('rot_1')) as Rotation;
      got.members.push('eve');
      expect(await oncall.rotations.get('rot_1')).toEqual(rotation());
    });
  });
}
