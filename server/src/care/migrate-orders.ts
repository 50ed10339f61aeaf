import { createHash } from 'node:crypto';
import type { Assignment, StoredOrder, Therapy } from '@pumpwatch/protocol';

/** Who the migrated records name as having made them: no person did. */
export const MIGRATION_ACTOR = 'migration';

const THERAPY_PREFIX = 'thr_migrated_';
const ASSIGNMENT_PREFIX = 'asg_migrated_';
/** The id pattern's limit (protocol/src/ids.ts). */
const MAX_ID = 64;

/**
 * The care records that replace the per-pump orders of a store made before patients existed
 * (docs/storage.md#care-records): for each order, a therapy with no patient yet (a coordinator attaches
 * it to one later) that carries the order the rules check, and an open assignment of the pump to it from
 * the time the order was set, so the pump's `order_mismatch` keeps its order through the change.
 *
 * Ids are derived from the pump id, so a second run yields the same ids: putting its output again
 * replaces records instead of doubling them. The caller puts only the records whose ids are absent, so
 * a run after a coordinator edited a migrated therapy leaves the edit alone. `now` is when the records
 * are created (`createdAt`, `updatedAt`); everything else comes from the orders.
 */
export function therapiesFromOrders(
  orders: StoredOrder[],
  now: number,
): { therapies: Therapy[]; assignments: Assignment[] } {
  const therapies: Therapy[] = [];
  const assignments: Assignment[] = [];
  // By pump id, so the output does not depend on the order the store listed them in.
  const sorted = [...orders].sort((a, b) => (a.pumpId < b.pumpId ? -1 : a.pumpId > b.pumpId ? 1 : 0));
  for (const order of sorted) {
    const therapyId = migratedId(THERAPY_PREFIX, order.pumpId);
    therapies.push({
      id: therapyId,
      patientId: null,
      drug: order.drug,
      dose: 'as ordered',
      order: {
        rate_mL_h: order.rate_mL_h,
        vtbi_mL: order.vtbi_mL,
        tolerance_pct: order.tolerance_pct,
      },
      schedule: { kind: 'continuous' },
      // The order's own day (UTC): the only start the old model knew.
      startDate: new Date(order.updatedAt).toISOString().slice(0, 10),
      status: 'active',
      createdAt: now,
      updatedAt: now,
      updatedBy: MIGRATION_ACTOR,
    });
    assignments.push({
      id: migratedId(ASSIGNMENT_PREFIX, order.pumpId),
      pumpId: order.pumpId,
      therapyId,
      patientId: null,
      from: order.updatedAt,
      to: null,
      assignedBy: MIGRATION_ACTOR,
      endedBy: null,
    });
  }
  return { therapies, assignments };
}

/**
 * `<prefix><pumpId>`, within the id pattern's 64 characters: a pump id too long for the prefix keeps
 * its head and gets a hash of the whole id, so two long pump ids sharing a head still get two ids.
 */
function migratedId(prefix: string, pumpId: string): string {
  const plain = `${prefix}${pumpId}`;
  if (plain.length <= MAX_ID) return plain;
  const hash = createHash('sha256').update(pumpId).digest('hex').slice(0, 12);
  return `${prefix}${pumpId.slice(0, MAX_ID - prefix.length - hash.length - 1)}_${hash}`;
}
