import {
  alertSchema,
  assignmentSchema,
  careTeamSchema,
  idSchema,
  patientSchema,
  storedOrderSchema,
  telemetrySampleSchema,
  therapySchema,
} from '@pumpwatch/protocol';
import type { Logger } from 'pino';
import { z } from 'zod';

/** What a stored record is, for the counts in `/api/health` (`quarantined`). */
export type RecordKind = 'samples' | 'alerts' | 'orders' | 'params' | 'care';

/** Reports a stored row that could not even be decoded (garbage JSON); `key` names it when known. */
export type BadRowHandler = (key: string | undefined, error: unknown) => void;

const storedSampleSchema = z.object({
  hubId: idSchema,
  pumpId: idSchema,
  receivedAt: z.number().finite(),
  sample: telemetrySampleSchema,
});

const storedPumpParamsSchema = z.object({
  pumpId: idSchema,
  overrides: z.record(z.string(), z.unknown()),
  updatedAt: z.number().finite(),
  updatedBy: z.string(),
});

const schemas: Record<RecordKind, z.ZodType> = {
  samples: storedSampleSchema,
  alerts: alertSchema,
  orders: storedOrderSchema,
  params: storedPumpParamsSchema,
  // Any of the care records: each adapter already checks its own kind's schema before returning it.
  care: z.union([patientSchema, therapySchema, assignmentSchema, careTeamSchema]),
};

/**
 * Stored records skipped at restore. A record the server once accepted can still be poison later: written
 * before a check existed (a pump named `constructor`, issue #11), or damaged on disk. Restored, such a
 * record crashed the server on every start; now each is checked against the protocol schemas and, if it
 * fails or its restore throws, skipped, logged with the stable code RECORD_QUARANTINED and counted, and the
 * server starts without it. The row stays in the store for an operator to inspect (docs/storage.md).
 */
export class Quarantine {
  private readonly counts: Record<RecordKind, number> = {
    samples: 0,
    alerts: 0,
    orders: 0,
    params: 0,
    care: 0,
  };

  constructor(private readonly logger?: Logger) {}

  note(kind: RecordKind, key: string | undefined, reason: unknown): void {
    this.counts[kind] += 1;
    this.logger?.error(
      { code: 'RECORD_QUARANTINED', kind, ...(key === undefined ? {} : { key }), err: reason },
      'stored record skipped at restore: it fails validation or its restore failed',
    );
  }

  /** A handler for the store's undecodable rows of one kind. */
  badRows(kind: RecordKind): BadRowHandler {
    return (key, error) => this.note(kind, key, error);
  }

  /** `record` when it matches its protocol schema; otherwise quarantined and false. */
  valid(kind: RecordKind, record: unknown): boolean {
    const parsed = schemas[kind].safeParse(record);
    if (parsed.success) return true;
    const key = keyOf(record);
    this.note(kind, key, parsed.error);
    return false;
  }

  /** The records of one kind that pass `valid`. */
  filter<T>(kind: RecordKind, records: readonly T[]): T[] {
    return records.filter((record) => this.valid(kind, record));
  }

  /** Runs one record's restore; an exception quarantines the record instead of ending the start. */
  attempt(kind: RecordKind, key: string | undefined, restore: () => void): void {
    try {
      restore();
    } catch (error) {
      this.note(kind, key, error);
    }
  }

  snapshot(): Record<RecordKind, number> {
    return { ...this.counts };
  }
}

function keyOf(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  const value = Object.hasOwn(record, 'id')
    ? (record as { id: unknown }).id
    : Object.hasOwn(record, 'pumpId')
      ? (record as { pumpId: unknown }).pumpId
      : undefined;
  return typeof value === 'string' ? value.slice(0, 80) : undefined;
}
