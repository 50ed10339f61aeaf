import { z } from 'zod';

/** Hub and pump ids: safe in MQTT topics, URLs and file names alike. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Names every plain JavaScript object already answers to (`constructor`, `__proto__`, `toString`…), plus
 * `prototype`. They are refused as hub and pump ids (`RESERVED_ID`, ingest reason `reserved_id`): one
 * sample for a pump named `constructor` once reached a per-pump lookup on a plain object, got the
 * inherited function and crashed the server on every restart (issue #11). The server also keys every
 * per-id table by `Map`, so this is the second of two defences, not the only one (docs/security.md).
 */
export const RESERVED_IDS: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  '__proto__',
  'prototype',
]);

export function isReservedId(value: string): boolean {
  return RESERVED_IDS.has(value);
}

export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'id must match ^[A-Za-z0-9_-]{1,64}$')
  .refine((value) => !RESERVED_IDS.has(value), {
    message: 'id is a reserved name (constructor, __proto__, toString…); choose another',
  });
export type Id = z.infer<typeof idSchema>;

export function isValidId(value: string): boolean {
  return ID_PATTERN.test(value) && !RESERVED_IDS.has(value);
}
