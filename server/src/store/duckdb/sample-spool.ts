import type { DuckDBConnection } from '@duckdb/node-api';
import type { SampleSpool, SpooledSample } from '../forward/spool.js';
import { rowToSample, type SampleRow, SELECT_COLUMNS } from './rows.js';
import type { DuckDbSampleStore } from './sample-store.js';

/** The `samples` table read as a spool, with each forwarder's position in `forward_cursors`. */
export class DuckDbSampleSpool implements SampleSpool {
  /** Sinks registered by this process: only their positions hold samples back from retention. */
  private readonly sinks = new Set<string>();

  constructor(
    private readonly samples: DuckDbSampleStore,
    private readonly connection: DuckDBConnection,
  ) {}

  async position(sink: string): Promise<number> {
    this.sinks.add(sink);
    const result = await this.connection.runAndReadAll(
      'SELECT last_ingest_id FROM forward_cursors WHERE sink = $sink',
      { sink },
    );
    const [row] = result.getRowObjectsJS();
    if (row) return Number(row.last_ingest_id);
    await this.acknowledge(sink, 0);
    return 0;
  }

  async read(afterId: number, limit: number): Promise<SpooledSample[]> {
    const result = await this.connection.runAndReadAll(
      `SELECT ingest_id, ${SELECT_COLUMNS} FROM samples
       WHERE ingest_id > $after AND ingest_id <= $durable
       ORDER BY ingest_id LIMIT $limit`,
      { after: BigInt(afterId), durable: BigInt(this.samples.lastDurableId), limit: BigInt(limit) },
    );
    return (result.getRowObjectsJS() as Array<SampleRow & { ingest_id: bigint }>).map((row) => ({
      id: Number(row.ingest_id),
      hubId: String(row.hub_id),
      pumpId: String(row.pump_id),
      receivedAt: Number(row.received_at),
      sample: rowToSample(row),
    }));
  }

  async acknowledge(sink: string, lastId: number): Promise<void> {
    await this.connection.run(
      'INSERT OR REPLACE INTO forward_cursors (sink, last_ingest_id) VALUES ($sink, $id)',
      { sink, id: BigInt(lastId) },
    );
  }

  lastId(): number {
    return this.samples.lastDurableId;
  }

  onDurable(listener: () => void): () => void {
    return this.samples.onDurable(listener);
  }

  /** The lowest position among registered sinks: retention keeps every sample after it. */
  async forwardedUpTo(): Promise<number> {
    if (this.sinks.size === 0) return Number.MAX_SAFE_INTEGER;
    const result = await this.connection.runAndReadAll('SELECT sink, last_ingest_id FROM forward_cursors');
    let upTo = Number.MAX_SAFE_INTEGER;
    for (const row of result.getRowObjectsJS()) {
      if (this.sinks.has(String(row.sink))) upTo = Math.min(upTo, Number(row.last_ingest_id));
    }
    return upTo;
  }
}
