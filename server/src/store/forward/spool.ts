import type { StoredSample } from '../ports.js';

/** A stored sample with its ingest id: ids increase in the order samples became durable. */
export interface SpooledSample extends StoredSample {
  id: number;
}

/** Spooled samples in a sink's encoding, with the ingest ids they span. */
export interface LineBatch {
  count: number;
  firstId: number;
  lastId: number;
  lines: string[];
}

/**
 * The durable record of samples, read in order by forwarders that deliver them elsewhere (InfluxDB).
 * The embedded store is the spool: a sample is spooled the moment it is stored, so an outage of the
 * destination, or a crash of the server, loses nothing that the store acknowledged.
 */
export interface SampleSpool {
  /**
   * Where `sink` stands: the id of the last sample it has delivered (0 for a new sink). Registers the
   * sink, so retention keeps every sample it has not delivered yet.
   */
  position(sink: string): Promise<number>;
  /** The durable samples with ids in (`afterId`, `afterId + limit`], in id order. */
  read(afterId: number, limit: number): Promise<SpooledSample[]>;
  /**
   * The same samples as InfluxDB lines of `measurement` (the format of influx/line-protocol.ts), encoded
   * where they are stored. `lastId` is where the next read starts: the end of the id range read, so ids
   * without a sample (a commit that failed) are passed over.
   */
  readLines(afterId: number, limit: number, measurement: string): Promise<LineBatch>;
  /** Records that `sink` has delivered everything up to `lastId`, durably. */
  acknowledge(sink: string, lastId: number): Promise<void>;
  /** Id of the newest durable sample. */
  lastId(): number;
  /** Calls `listener` after each commit of new samples; returns the unsubscribe. */
  onDurable(listener: () => void): () => void;
}
