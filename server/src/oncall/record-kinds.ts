import { escalationPolicySchema, overrideSchema, rotationSchema } from '@pumpwatch/protocol';
import type { z } from 'zod';
import { pageRecordSchema } from '../paging/page-record.js';
import { type OnCallStore, storedFeedTokenSchema } from './ports.js';

/** A table of the OnCallStore port: the `kind` column of `oncall_records` in the embedded store. */
export type OnCallKind = keyof OnCallStore;

export const onCallKinds: readonly OnCallKind[] = [
  'rotations',
  'overrides',
  'policies',
  'feedTokens',
  'pages',
];

/** What every adapter checks a record against when it reads it back, and the key it is stored under. */
export const onCallRecordKinds = {
  rotations: { schema: rotationSchema, keyOf: (record: { id: string }) => record.id },
  overrides: { schema: overrideSchema, keyOf: (record: { id: string }) => record.id },
  policies: { schema: escalationPolicySchema, keyOf: (record: { teamId: string }) => record.teamId },
  feedTokens: { schema: storedFeedTokenSchema, keyOf: (record: { username: string }) => record.username },
  pages: { schema: pageRecordSchema, keyOf: (record: { alertId: string }) => record.alertId },
} satisfies Record<OnCallKind, { schema: z.ZodType; keyOf: (record: never) => string }>;

/** The key of a record of `kind`; a record read back under another key than it carries is refused. */
export function keyOfRecord(kind: OnCallKind, record: unknown): string {
  return (onCallRecordKinds[kind].keyOf as (record: unknown) => string)(record);
}

/** Parses a stored record of `kind` and checks it carries the key it was stored under. */
export function decodeOnCallRecord<T>(kind: OnCallKind, key: string, json: string): T {
  const record = onCallRecordKinds[kind].schema.parse(JSON.parse(json));
  const carried = keyOfRecord(kind, record);
  if (carried !== key) throw new Error(`on-call record stored as ${key} carries key ${carried}`);
  return record as T;
}
