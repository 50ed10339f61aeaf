import { PumpwatchError } from '../../errors.js';

/**
 * Open / closed state shared by the stores of one memory store. After `close` every call is refused with
 * STORE_CLOSED, as the DuckDB adapter refuses statements on a closed connection, so a caller that works
 * with the memory store cannot be relying on something the embedded store would refuse.
 */
export class MemoryLifecycle {
  private closedFlag = false;

  get closed(): boolean {
    return this.closedFlag;
  }

  close(): void {
    this.closedFlag = true;
  }

  assertOpen(what: string): void {
    if (this.closedFlag)
      throw new PumpwatchError('STORE_CLOSED', `the memory store is closed: no more ${what}`);
  }
}

/**
 * The embedded store keeps these values in BIGINT columns: a fraction or a value beyond 64 bits is refused
 * there (BigInt conversion, binder), so it is refused here too.
 */
export function assertInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || Math.abs(value) >= 2 ** 63) {
    throw new RangeError(`${name} must be an integer that fits in 64 bits, got ${value}`);
  }
}

/** DuckDB refuses a negative LIMIT ("LIMIT/OFFSET cannot be negative"). */
export function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0)
    throw new RangeError(`LIMIT must be a non-negative integer, got ${limit}`);
}

/** Byte-wise order of ids, as DuckDB sorts VARCHAR (ids are ASCII, where code units and bytes agree). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
