import type { StoredSample } from '../ports.js';

/** A stored sample with its ingest id: ids increase in the order samples became durable. */
export interface SpooledSample extends StoredSample {
  id: number;
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
  /** Up to `limit` durable samples with an id above `afterId`, in id order. */
  read(afterId: number, limit: number): Promise<SpooledSample[]>;
  /** Records that `sink` has delivered everything up to `lastId`, durably. */
  acknowledge(sink: string, lastId: number): Promise<void>;
  /** Id of the newest durable sample. */
  lastId(): number;
  /** Calls `listener` after each commit of new samples; returns the unsubscribe. */
  onDurable(listener: () => void): () => void;
}
