import { assignmentSchema, idSchema, type StoredOrder, therapySchema } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { therapiesFromOrders } from '../src/care/migrate-orders.js';

const NOW = Date.UTC(2026, 5, 1, 9, 30);
const order = (pumpId: string, overrides: Partial<StoredOrder> = {}): StoredOrder => ({
  pumpId,
  drug: 'ceftriaxone 2 g',
  rate_mL_h: 100,
  vtbi_mL: 250,
  tolerance_pct: 10,
  updatedAt: Date.UTC(2026, 4, 20, 23, 59),
  updatedBy: 'admin',
  ...overrides,
});

describe('therapiesFromOrders', () => {
  it('makes a patientless continuous therapy and an open assignment of the pump for each order', () => {
    const { therapies, assignments } = therapiesFromOrders([order('PUMP-0004')], NOW);
    expect(therapies).toEqual([
      {
        id: 'thr_migrated_PUMP-0004',
        patientId: null,
        drug: 'ceftriaxone 2 g',
        dose: 'as ordered',
        order: { rate_mL_h: 100, vtbi_mL: 250, tolerance_pct: 10 },
        schedule: { kind: 'continuous' },
        startDate: '2026-05-20',
        status: 'active',
        createdAt: NOW,
        updatedAt: NOW,
        updatedBy: 'migration',
      },
    ]);
    expect(assignments).toEqual([
      {
        id: 'asg_migrated_PUMP-0004',
        pumpId: 'PUMP-0004',
        therapyId: 'thr_migrated_PUMP-0004',
        patientId: null,
        from: Date.UTC(2026, 4, 20, 23, 59),
        to: null,
        assignedBy: 'migration',
        endedBy: null,
      },
    ]);
  });

  it('produces records that pass the stored schemas, so the store does not quarantine them', () => {
    const orders = [
      order('PUMP-1', { drug: 'vancomycin 1 g', tolerance_pct: 0, updatedBy: null, updatedAt: 0 }),
      order('PUMP-2', { rate_mL_h: 0.1, vtbi_mL: 100_000 }),
      order('P'.repeat(64)),
    ];
    const { therapies, assignments } = therapiesFromOrders(orders, NOW);
    for (const therapy of therapies) expect(therapySchema.parse(therapy)).toEqual(therapy);
    for (const assignment of assignments) expect(assignmentSchema.parse(assignment)).toEqual(assignment);
    expect(therapies.find((t) => t.id === 'thr_migrated_PUMP-1')?.startDate).toBe('1970-01-01');
  });

  it('is idempotent: the same orders give the same records, whatever their order', () => {
    const orders = [order('B'), order('A', { drug: 'cefazolin 2 g' }), order('C')];
    const first = therapiesFromOrders(orders, NOW);
    const again = therapiesFromOrders([...orders].reverse(), NOW);
    expect(again).toEqual(first);
    expect(first.therapies.map((t) => t.id)).toEqual(['thr_migrated_A', 'thr_migrated_B', 'thr_migrated_C']);
    expect(first.assignments.map((a) => [a.pumpId, a.therapyId])).toEqual([
      ['A', 'thr_migrated_A'],
      ['B', 'thr_migrated_B'],
      ['C', 'thr_migrated_C'],
    ]);
  });

  it('keeps ids within the id pattern for the longest pump ids, one per pump', () => {
    const long = (tail: string) => `${'X'.repeat(60)}${tail}`;
    const { therapies, assignments } = therapiesFromOrders([order(long('0001')), order(long('0002'))], NOW);
    const ids = [...therapies.map((t) => t.id), ...assignments.map((a) => a.id)];
    for (const id of ids) expect(idSchema.safeParse(id).success, id).toBe(true);
    expect(new Set(ids).size).toBe(4);
    expect(therapies.map((t) => t.id.startsWith('thr_migrated_X'))).toEqual([true, true]);
    expect(assignments.map((a) => a.therapyId)).toEqual(therapies.map((t) => t.id));
  });

  it('changes nothing it was given and returns nothing for no orders', () => {
    const given = order('PUMP-9');
    const copy = structuredClone(given);
    therapiesFromOrders([given], NOW);
    expect(given).toEqual(copy);
    expect(therapiesFromOrders([], NOW)).toEqual({ therapies: [], assignments: [] });
  });
});
