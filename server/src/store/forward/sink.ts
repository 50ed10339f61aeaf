/** Why a delivery failed; each code is listed in docs/storage.md and shown in `/api/health`. */
export type SinkErrorCode =
  | 'INFLUX_AUTH_FAILED'
  | 'INFLUX_DATABASE_NOT_FOUND'
  | 'INFLUX_RETENTION_POLICY_NOT_FOUND'
  | 'INFLUX_BUCKET_NOT_FOUND'
  | 'INFLUX_UNREACHABLE'
  | 'INFLUX_UNAVAILABLE'
  | 'INFLUX_TOO_LARGE'
  | 'INFLUX_WRITE_REJECTED';

export class SinkError extends Error {
  constructor(
    readonly code: SinkErrorCode,
    message: string,
    /** HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SinkError';
  }

  /**
   * A rejected write will be rejected again (bad points): it is skipped and counted. Everything else is
   * retried until it succeeds — including a wrong token or a missing database, which an operator can fix
   * while the samples wait on disk.
   */
  get permanent(): boolean {
    return this.code === 'INFLUX_WRITE_REJECTED';
  }
}

/** Where forwarded samples go: an InfluxDB (v1 or v2 API) or anything that speaks the same protocol. */
export interface SampleSink {
  /** Stable name of the destination, the key of its position in the spool. */
  readonly name: string;
  /** What `/api/health` shows about the destination (never a credential). */
  readonly description: Record<string, string>;
  /** Writes the lines in one request; resolves only when the server has accepted them. Throws SinkError. */
  write(lines: string[]): Promise<void>;
  /** Checks reachability, credentials and the target database or bucket without writing a point. */
  probe(): Promise<void>;
  close(): Promise<void>;
}
