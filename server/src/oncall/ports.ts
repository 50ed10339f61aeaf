import type { EscalationPolicy, Override, Rotation } from '@pumpwatch/protocol';
import { z } from 'zod';
import type { PageRecord } from '../paging/page-record.js';
import type { BadRowHandler } from '../store/quarantine.js';

/**
 * A per-user calendar feed token, kept only as its SHA-256 (docs/security.md#calendar-feed-tokens):
 * whoever reads the store cannot rebuild a feed URL from it.
 */
export const storedFeedTokenSchema = z.object({
  username: z.string().min(1).max(64),
  /** Hex SHA-256 of the token; null once revoked (no token opens the feed). */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  createdAt: z.number().int().nonnegative(),
});
export type StoredFeedToken = z.infer<typeof storedFeedTokenSchema>;

/**
 * One kind of on-call record under its key (rotations and overrides by `id`, policies by `teamId`,
 * feed tokens by `username`). `put` resolves once the record is durable, as the care store's does: a
 * rota change survives a SIGKILL once its `put` has resolved. Everything is read at start (a few
 * teams, a few rotations each), so the port needs no queries beyond `all`.
 */
export interface OnCallTable<T> {
  put(record: T): Promise<void>;
  /** Null when absent; a stored record that fails its schema throws. */
  get(key: string): Promise<T | null>;
  /** Every record by key; one that fails its schema goes to `onBadRow` and is left out. */
  all(onBadRow?: BadRowHandler): Promise<T[]>;
}

/** Rotations, overrides, escalation policies, calendar feed tokens and the pages under way (docs/oncall.md). */
export interface OnCallStore {
  rotations: OnCallTable<Rotation>;
  overrides: OnCallTable<Override>;
  policies: OnCallTable<EscalationPolicy>;
  feedTokens: OnCallTable<StoredFeedToken>;
  /** Where each alert stands on its escalation policy (paging/page-record.ts), by alert id. */
  pages: OnCallTable<PageRecord>;
}
