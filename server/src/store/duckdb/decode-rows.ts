import type { BadRowHandler } from '../quarantine.js';

/**
 * Decodes rows one by one. With `onBadRow`, a row whose decoding throws (garbage JSON in a document
 * column) is reported and left out, so one damaged row cannot stop a restart (issue #11); without it, the
 * first such row throws as before.
 */
export function decodeRows<R, T>(
  rows: readonly R[],
  decode: (row: R) => T,
  keyOf: (row: R) => string,
  onBadRow: BadRowHandler | undefined,
): T[] {
  if (!onBadRow) return rows.map(decode);
  const out: T[] = [];
  for (const row of rows) {
    try {
      out.push(decode(row));
    } catch (error) {
      let key: string | undefined;
      try {
        key = keyOf(row);
      } catch {
        key = undefined;
      }
      onBadRow(key, error);
    }
  }
  return out;
}
