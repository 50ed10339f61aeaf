import type { Logger } from 'pino';

/**
 * Exceptions caught in timers, event listeners and per-pump evaluation, counted by owner (`ward/tick`,
 * `ws/upgrade`…) for `/api/health` (`internalErrors`). Node ends the process on an exception thrown from a
 * timer or an emitter's listener: one sample for a pump named `constructor` did so on every start (issue
 * #11). Each such callback is wrapped so its failure is logged, counted and stops nothing else, the
 * zigbee2mqtt event-bus habit (shared/design/STYLE.md).
 */
export class InternalErrors {
  private readonly byOwner = new Map<string, number>();
  private count = 0;

  constructor(private readonly logger?: Logger) {}

  /** Logs and counts one caught exception. `context` must hold no patient data (a pump id is fine). */
  note(owner: string, error: unknown, context: Record<string, unknown> = {}): void {
    this.count += 1;
    this.byOwner.set(owner, (this.byOwner.get(owner) ?? 0) + 1);
    try {
      this.logger?.error(
        { code: 'INTERNAL_ERROR', owner, ...context, err: error },
        `internal error in ${owner}`,
      );
    } catch {
      // A logger that throws (a closed destination) must not undo the containment.
    }
  }

  get total(): number {
    return this.count;
  }

  /** `{ total, byOwner }` for `/api/health`. */
  snapshot(): { total: number; byOwner: Record<string, number> } {
    return { total: this.count, byOwner: Object.fromEntries(this.byOwner) };
  }
}

/** Where a guarded callback reports its exception. */
export type ErrorSink = (owner: string, error: unknown, context?: Record<string, unknown>) => void;

/**
 * `fn`, but an exception it throws (or a promise it returns that rejects) goes to `onError` as `owner`
 * instead of reaching the timer or emitter that called it.
 */
export function guarded<A extends unknown[]>(
  owner: string,
  fn: (...args: A) => unknown,
  onError: ErrorSink,
): (...args: A) => void {
  return (...args: A) => {
    try {
      const result = fn(...args);
      if (result instanceof Promise) result.catch((error: unknown) => onError(owner, error));
    } catch (error) {
      onError(owner, error);
    }
  };
}

/** Reports to the console when no sink was given: the owner's failure is still contained. */
export const logToConsole: ErrorSink = (owner, error) => {
  console.error(`internal error in ${owner}:`, error);
};
