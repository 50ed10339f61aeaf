import type { DuckDBConnection } from '@duckdb/node-api';
import { PumpwatchError } from '../../errors.js';

/** What the stores use of a connection: statements and queries, nothing that outlives one call. */
export type SqlConnection = Pick<DuckDBConnection, 'run' | 'runAndReadAll'>;

/**
 * A connection that is closed only once nothing runs on it. Closing a DuckDB connection, or its
 * instance, while one of its statements is still running on DuckDB's threads crashes the process with
 * SIGSEGV or leaves it unable to exit (@duckdb/node-api 1.5.6; server/test/store/duckdb-close.test.ts
 * reproduces both). Shutdown has such statements about: the tail of a sample move, a forwarder's
 * read-ahead, a history read. So every statement goes through here, `close` waits for those in flight,
 * and any that come after it are refused with STORE_CLOSED instead of reaching a closed connection.
 */
export class GuardedConnection implements SqlConnection {
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly name: string,
  ) {}

  run(...args: Parameters<DuckDBConnection['run']>): ReturnType<DuckDBConnection['run']> {
    return this.track(() => this.connection.run(...args));
  }

  runAndReadAll(
    ...args: Parameters<DuckDBConnection['runAndReadAll']>
  ): ReturnType<DuckDBConnection['runAndReadAll']> {
    return this.track(() => this.connection.runAndReadAll(...args));
  }

  /** Statements started and not yet finished. */
  get busy(): number {
    return this.inFlight.size;
  }

  /** Refuses new statements, waits for the running ones to finish (whatever their outcome), then closes. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.connection.closeSync();
  }

  private track<T>(start: () => Promise<T>): Promise<T> {
    if (this.closing) {
      return Promise.reject(
        new PumpwatchError(
          'STORE_CLOSED',
          `the store is closing: no more statements on its ${this.name} connection`,
        ),
      );
    }
    const running = start();
    this.inFlight.add(running);
    const forget = () => this.inFlight.delete(running);
    running.then(forget, forget);
    return running;
  }
}
