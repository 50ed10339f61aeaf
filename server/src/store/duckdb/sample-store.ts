import type { DuckDBAppender } from '@duckdb/node-api';
import type { SampleBucket, TelemetrySample } from '@pumpwatch/protocol';
import type { BucketQuery, RecentSeq, SampleQuery, SampleStore, StoredSample } from '../ports.js';
import type { BadRowHandler } from '../quarantine.js';
import { decodeRows } from './decode-rows.js';
import type { SqlConnection } from './guarded-connection.js';
import { bucketSql, rowToBucket, rowToSample, type SampleRow, SELECT_COLUMNS } from './rows.js';
import { STAGING, sampleColumns } from './schema.js';

const COLUMNS = sampleColumns.join(', ');

export interface DuckDbSampleStoreDeps {
  /** Appends into the in-memory staging table. */
  appender: DuckDBAppender;
  /** Moves staged rows into `samples` (the commit that makes them durable). */
  mover: SqlConnection;
  reader: SqlConnection;
  /** Deletes for retention, on a connection of their own. */
  pruner: SqlConnection;
  /** Next ingest id (one past the largest stored). */
  nextId: number;
  /** Rows per retention delete transaction. */
  pruneChunk?: number;
  /** The last ingest id every forwarder has delivered; retention keeps anything after it. */
  forwardedUpTo: () => Promise<number>;
}

/**
 * Samples go through DuckDB's appender into an in-memory staging table (row-at-a-time into a columnar
 * buffer, microseconds each), then move to the on-disk `samples` table in one transaction per flush. The
 * move runs on DuckDB's worker threads, so a commit or a checkpoint (measured at up to 0.5 s) never blocks
 * the event loop; the appender's own synchronous flush only touches memory.
 */
export class DuckDbSampleStore implements SampleStore {
  private lastAppendedId: number;
  private durableId: number;
  private staged = 0;
  private committing: Promise<void> | null = null;
  private readonly listeners = new Set<(durableId: number) => void>();

  constructor(private readonly deps: DuckDbSampleStoreDeps) {
    this.lastAppendedId = deps.nextId - 1;
    this.durableId = deps.nextId - 1;
  }

  append({ hubId, pumpId, receivedAt, sample }: StoredSample): void {
    const a = this.deps.appender;
    const id = this.lastAppendedId + 1;
    a.appendBigInt(BigInt(id));
    a.appendVarchar(hubId);
    a.appendVarchar(pumpId);
    a.appendBigInt(BigInt(sample.seq));
    a.appendBigInt(BigInt(sample.ts));
    a.appendBigInt(BigInt(receivedAt));
    a.appendVarchar(sample.state);
    a.appendDouble(sample.rate_mL_h);
    a.appendDouble(sample.vi_mL);
    appendOptionalDouble(a, sample.vtbi_mL);
    appendOptionalDouble(a, sample.pressure_mmHg);
    appendOptionalDouble(a, sample.occlusionLimit_mmHg);
    appendOptionalDouble(a, sample.battery_pct);
    if (sample.onBattery === undefined) a.appendNull();
    else a.appendBoolean(sample.onBattery);
    a.appendVarchar(JSON.stringify(sample.alarms));
    if (sample.hubTs === undefined) a.appendNull();
    else a.appendBigInt(BigInt(sample.hubTs));
    if (sample.epoch === undefined) a.appendNull();
    else a.appendVarchar(sample.epoch);
    a.endRow();
    this.lastAppendedId = id;
    this.staged += 1;
  }

  /** Samples appended but not yet durable. */
  get pendingRows(): number {
    return this.lastAppendedId - this.durableId;
  }

  /** Ingest id of the newest durable sample. */
  get lastDurableId(): number {
    return this.durableId;
  }

  /** Called after each commit with the newest durable ingest id (forwarders wake on it). */
  onDurable(listener: (durableId: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Group commit: one move transaction covers every sample appended before it started. */
  async flush(): Promise<void> {
    const target = this.lastAppendedId;
    while (this.durableId < target) {
      if (!this.committing) {
        this.committing = this.commitStaged().finally(() => {
          this.committing = null;
        });
      }
      await this.committing;
    }
  }

  committed(): Promise<void> {
    const target = this.lastAppendedId;
    if (this.durableId >= target) return Promise.resolve();
    return new Promise((resolve) => {
      const stop = this.onDurable((durableId) => {
        if (durableId < target) return;
        stop();
        resolve();
      });
    });
  }

  /**
   * Resolves once no move is running, including the staging delete that ends one after its rows are
   * already durable (so `flush` may have returned). The store waits on it before closing connections.
   */
  async idle(): Promise<void> {
    while (this.committing) await this.committing.catch(() => undefined);
  }

  private async commitStaged(): Promise<void> {
    const from = this.durableId;
    const upTo = this.lastAppendedId;
    if (this.staged > 0) {
      // Memory only: the in-memory database has no WAL and no checkpoint to wait for.
      this.deps.appender.flushSync();
      this.staged = 0;
    }
    const { mover } = this.deps;
    await mover.run(
      `INSERT INTO samples (ingest_id, ${COLUMNS})
       SELECT ingest_id, ${COLUMNS} FROM ${STAGING}.samples WHERE ingest_id > $from AND ingest_id <= $upTo`,
      { from: BigInt(from), upTo: BigInt(upTo) },
    );
    this.durableId = upTo;
    for (const listener of this.listeners) listener(upTo);
    // Rows left behind by a failed delete are never moved twice: the insert above starts after `from`.
    await mover.run(`DELETE FROM ${STAGING}.samples WHERE ingest_id <= $upTo`, { upTo: BigInt(upTo) });
  }

  async query(pumpId: string, { from, to, limit }: SampleQuery): Promise<TelemetrySample[]> {
    await this.flush();
    const result = await this.deps.reader.runAndReadAll(
      `SELECT ${SELECT_COLUMNS} FROM samples
       WHERE pump_id = $pump AND ts >= $from AND ts <= $to
       ORDER BY ts, seq LIMIT $limit`,
      bounds(pumpId, from, to, limit),
    );
    return (result.getRowObjectsJS() as SampleRow[]).map(rowToSample);
  }

  async buckets(pumpId: string, { from, to, limit, step }: BucketQuery): Promise<SampleBucket[]> {
    await this.flush();
    const result = await this.deps.reader.runAndReadAll(bucketSql, {
      ...bounds(pumpId, from, to, limit),
      step: BigInt(step),
    });
    return result.getRowObjectsJS().map(rowToBucket);
  }

  async latestPerPump(onBadRow?: BadRowHandler): Promise<StoredSample[]> {
    await this.flush();
    const result = await this.deps.reader.runAndReadAll(
      `SELECT ${SELECT_COLUMNS} FROM samples
       QUALIFY row_number() OVER (PARTITION BY pump_id ORDER BY ts DESC, seq DESC) = 1`,
    );
    return decodeRows(
      result.getRowObjectsJS() as SampleRow[],
      (row) => ({
        hubId: String(row.hub_id),
        pumpId: String(row.pump_id),
        receivedAt: Number(row.received_at),
        sample: rowToSample(row),
      }),
      (row) => String(row.pump_id),
      onBadRow,
    );
  }

  async recentSeqs(limit: number): Promise<RecentSeq[]> {
    await this.flush();
    const result = await this.deps.reader.runAndReadAll(
      `WITH current_epoch AS (
         SELECT pump_id, epoch FROM samples
         QUALIFY row_number() OVER (PARTITION BY pump_id ORDER BY ingest_id DESC) = 1)
       SELECT s.pump_id, s.seq, s.epoch FROM samples s
       JOIN current_epoch c ON s.pump_id = c.pump_id AND s.epoch IS NOT DISTINCT FROM c.epoch
       QUALIFY row_number() OVER (PARTITION BY s.pump_id ORDER BY s.seq DESC) <= $limit
       ORDER BY s.pump_id, s.seq`,
      { limit: BigInt(limit) },
    );
    type Row = { pump_id: string; seq: bigint | number; epoch: string | null };
    return (result.getRowObjectsJS() as Row[]).map((row) => ({
      pumpId: row.pump_id,
      seq: Number(row.seq),
      ...(row.epoch !== null && { epoch: row.epoch }),
    }));
  }

  /**
   * Deletes in transactions of `pruneChunk` rows (100,000 by default: about 15 ms each here) and yields
   * between them, so the flush timer's moves interleave with a large prune instead of queueing behind it.
   */
  async prune(receivedBefore: number): Promise<number> {
    await this.flush();
    const keepAfter = await this.deps.forwardedUpTo();
    const chunk = this.deps.pruneChunk ?? 100_000;
    let deleted = 0;
    for (;;) {
      const result = await this.deps.pruner.run(
        `DELETE FROM samples WHERE rowid IN (
           SELECT rowid FROM samples WHERE received_at < $before AND ingest_id <= $keepAfter LIMIT $chunk)`,
        { before: BigInt(receivedBefore), keepAfter: BigInt(keepAfter), chunk: BigInt(chunk) },
      );
      const count = Number(result.rowsChanged);
      deleted += count;
      if (count < chunk) return deleted;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

function bounds(pumpId: string, from: number | undefined, to: number | undefined, limit: number) {
  return {
    pump: pumpId,
    from: BigInt(from ?? 0),
    to: BigInt(to ?? Number.MAX_SAFE_INTEGER),
    limit: BigInt(limit),
  };
}

function appendOptionalDouble(appender: DuckDBAppender, value: number | undefined): void {
  if (value === undefined) appender.appendNull();
  else appender.appendDouble(value);
}
