import { randomBytes } from 'node:crypto';
import type { TelemetrySample } from '@pumpwatch/protocol';
import { ClassicLevel } from 'classic-level';
import { GatewayError } from '../errors.js';
import type { PumpReadingSample } from '../sources/pump-source.js';
import { IdFifo } from './id-fifo.js';
import { keepPrivate, makePrivateDir } from './private-files.js';
import { PumpQueues } from './pump-queues.js';

export interface OutboxEntry {
  id: number;
  pumpId: string;
  sample: TelemetrySample;
}

export interface OutboxStoreOptions {
  /** Disk budget: beyond it the oldest entries are dropped and counted. */
  maxEntries: number;
}

/**
 * Keys. Outbox ids are zero-padded so LevelDB's byte order is FIFO order; `!` sorts before digits and
 * letters, so each prefix is its own contiguous range.
 */
const OUTBOX_PREFIX = 'o!';
const SEQ_PREFIX = 's!';
const DROPPED_KEY = 'm!dropped';
const EPOCH_KEY = 'm!epoch';
/** Set once the server has ever sent a commit watermark to this hub (docs/protocol.md, "Confirmation"). */
const SERVER_CONFIRMS_KEY = 'm!server-confirms';
const ID_DIGITS = 16;
const outboxKey = (id: number): string => OUTBOX_PREFIX + String(id).padStart(ID_DIGITS, '0');
const seqKey = (pumpId: string): string => SEQ_PREFIX + pumpId;

/** Appends written in one fsync'd batch at most; bounds the memory of a burst. */
const MAX_GROUP = 512;

interface PendingAppend {
  pumpId: string;
  sample: PumpReadingSample;
  resolve(sample: TelemetrySample): void;
  reject(error: unknown): void;
}

type BatchOp = { type: 'put'; key: string; value: string } | { type: 'del'; key: string };

/**
 * The hub's durable state in one LevelDB: per-pump `seq` counters and the outbox of samples not yet
 * confirmed (docs/protocol.md, "Confirmation"). A sample's seq and its outbox entry are written in the same atomic,
 * fsync'd batch, so after a crash or power loss a seq is either on disk with its sample or was never
 * handed out, and seq never repeats or goes backwards. Appends arriving together share one fsync.
 */
export class OutboxStore {
  private readonly fifo = new IdFifo();
  /** Per pump, the (id, seq) of its entries present, oldest first: what a watermark frees. */
  private readonly queues = new PumpQueues();
  private storeEpoch: string | undefined;
  private confirmsSeen = false;
  private readonly seqs = new Map<string, number>();
  private readonly queue: PendingAppend[] = [];
  private flushing: Promise<void> | null = null;
  private nextId = 0;
  /** One past the highest id recorded in memory; readAfter never looks beyond it. */
  private committedEnd = 0;
  private droppedTotal = 0;
  private closed = false;
  private modes: { close(): void } | undefined;

  private constructor(
    private readonly db: ClassicLevel<string, string>,
    private readonly options: OutboxStoreOptions,
  ) {}

  static async open(dir: string, options: OutboxStoreOptions): Promise<OutboxStore> {
    let db: ClassicLevel<string, string>;
    try {
      // 0700 and its files 0600: the outbox holds patient telemetry (issue #11: data files were 0644).
      makePrivateDir(dir);
      db = new ClassicLevel<string, string>(dir, { keyEncoding: 'utf8', valueEncoding: 'utf8' });
      await db.open();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new GatewayError('STORE_OPEN_FAILED', `cannot open the gateway store in ${dir}: ${detail}`, {
        cause: error,
      });
    }
    const store = new OutboxStore(db, options);
    store.modes = keepPrivate(dir);
    await store.load();
    return store;
  }

  /** Samples on disk, not yet confirmed (by the server's watermark, or by a PUBACK from an older server). */
  get depth(): number {
    return this.fifo.size;
  }

  /**
   * This store's epoch, sent with every sample: a store created afresh gets a new one, so the server
   * knows its seqs start again at 0. Undefined for a store from before epochs: its counter never restarted.
   */
  get epoch(): string | undefined {
    return this.storeEpoch;
  }

  /** Whether this hub's server has ever sent a commit watermark (kept across restarts). */
  get serverConfirms(): boolean {
    return this.confirmsSeen;
  }

  async markServerConfirms(): Promise<void> {
    if (this.confirmsSeen || this.closed) return;
    this.confirmsSeen = true;
    await this.db.put(SERVER_CONFIRMS_KEY, '1', { sync: true });
  }

  /**
   * Forgets the pump's entries of this epoch with a seq ≤ `seq`: the server has committed them. Not
   * fsync'd, as `remove`. Returns how many were freed.
   */
  async confirmThrough(pumpId: string, epoch: string | undefined, seq: number): Promise<number> {
    if (this.closed || epoch !== this.storeEpoch) return 0;
    const ids = this.queues.takeThrough(pumpId, seq, (id) => this.fifo.has(id));
    if (ids.length === 0) return 0;
    for (const id of ids) this.fifo.delete(id);
    await this.db.batch(ids.map((id) => ({ type: 'del' as const, key: outboxKey(id) })));
    return ids.length;
  }

  /** Per pump, the lowest seq still held, or its next seq when none is: the hub never sends below it. */
  floors(): Record<string, number> {
    const floors: Record<string, number> = {};
    for (const [pumpId, last] of this.seqs) {
      floors[pumpId] = this.queues.lowestSeq(pumpId, (id) => this.fifo.has(id)) ?? last + 1;
    }
    return floors;
  }

  /** Samples dropped over the budget since the store was created (persisted across restarts). */
  get dropped(): number {
    return this.droppedTotal;
  }

  lastSeq(pumpId: string): number | undefined {
    return this.seqs.get(pumpId);
  }

  /** Assigns the pump's next seq and makes the sample durable; resolves once it is on disk. */
  append(pumpId: string, sample: PumpReadingSample): Promise<TelemetrySample> {
    if (this.closed) return Promise.reject(new GatewayError('STORE_CLOSED', 'the gateway store is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ pumpId, sample, resolve, reject });
      this.scheduleFlush();
    });
  }

  /** Entries with id > `afterId`, oldest first. */
  async readAfter(afterId: number, limit: number): Promise<OutboxEntry[]> {
    if (this.closed) return [];
    const entries: OutboxEntry[] = [];
    // Only up to the last committed id: a batch is visible to iterators a moment before writeGroup
    // records it in memory, and an entry published and acked in that moment would never be removed.
    const range = { gte: outboxKey(Math.max(0, afterId + 1)), lt: outboxKey(this.committedEnd), limit };
    for await (const [key, value] of this.db.iterator(range)) {
      const id = Number(key.slice(OUTBOX_PREFIX.length));
      const { pumpId, sample } = JSON.parse(value) as { pumpId: string; sample: TelemetrySample };
      entries.push({ id, pumpId, sample });
    }
    return entries;
  }

  /**
   * Forgets an acknowledged entry. Not fsync'd: if the delete is lost to a power cut, the sample is
   * published again and the server drops the duplicate by seq.
   */
  async remove(id: number, pumpId?: string): Promise<void> {
    if (this.closed || !this.fifo.delete(id)) return;
    if (pumpId !== undefined) this.queues.lowestSeq(pumpId, (held) => this.fifo.has(held));
    await this.db.del(outboxKey(id));
  }

  /** Waits for queued appends, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing) await this.flushing;
    await this.db.close();
    this.modes?.close();
  }

  private async load(): Promise<void> {
    for await (const [key, value] of this.db.iterator({ gte: OUTBOX_PREFIX, lt: `${OUTBOX_PREFIX}~` })) {
      const id = Number(key.slice(OUTBOX_PREFIX.length));
      const { pumpId, sample } = JSON.parse(value) as { pumpId: string; sample: TelemetrySample };
      this.fifo.push(id);
      this.queues.push(pumpId, id, sample.seq);
      this.nextId = id + 1;
    }
    this.committedEnd = this.nextId;
    for await (const [key, value] of this.db.iterator({ gte: SEQ_PREFIX, lt: `${SEQ_PREFIX}~` })) {
      this.seqs.set(key.slice(SEQ_PREFIX.length), Number(value));
    }
    this.droppedTotal = Number((await this.db.get(DROPPED_KEY)) ?? 0);
    this.confirmsSeen = (await this.db.get(SERVER_CONFIRMS_KEY)) === '1';
    this.storeEpoch = await this.db.get(EPOCH_KEY);
    const fresh = this.storeEpoch === undefined && this.seqs.size === 0 && this.fifo.size === 0;
    if (fresh && this.droppedTotal === 0) {
      // A new store: its seqs start at 0, so it needs an epoch the server has never seen.
      this.storeEpoch = randomBytes(9).toString('base64url');
      await this.db.put(EPOCH_KEY, this.storeEpoch, { sync: true });
    }
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = this.flushQueue().finally(() => {
      this.flushing = null;
      // An append may have queued after the loop saw an empty queue but before this ran.
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  private async flushQueue(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, MAX_GROUP);
      try {
        const results = await this.writeGroup(group);
        for (const [i, item] of group.entries()) item.resolve(results[i] as TelemetrySample);
      } catch (error) {
        for (const item of group) item.reject(error);
      }
    }
  }

  /**
   * Stages seqs, ids and drops, writes them in one batch, and only then updates memory: a failed write
   * leaves no seq handed out.
   */
  private async writeGroup(group: PendingAppend[]): Promise<TelemetrySample[]> {
    const stagedSeqs = new Map<string, number>();
    const ops: BatchOp[] = [];
    const samples: TelemetrySample[] = [];
    const firstId = this.nextId;
    this.nextId += group.length;
    for (const [i, { pumpId, sample }] of group.entries()) {
      const seq = (stagedSeqs.get(pumpId) ?? this.seqs.get(pumpId) ?? -1) + 1;
      stagedSeqs.set(pumpId, seq);
      const full: TelemetrySample = {
        ...sample,
        seq,
        ...(this.storeEpoch !== undefined && { epoch: this.storeEpoch }),
      };
      samples.push(full);
      ops.push({ type: 'put', key: outboxKey(firstId + i), value: JSON.stringify({ pumpId, sample: full }) });
    }
    for (const [pumpId, seq] of stagedSeqs)
      ops.push({ type: 'put', key: seqKey(pumpId), value: String(seq) });

    // Budget: drop the oldest, on disk first, then (for a burst larger than the budget) the new ones.
    const excess = Math.max(0, this.fifo.size + group.length - this.options.maxEntries);
    const droppedOld = this.fifo.oldest(excess);
    const droppedNew = excess - droppedOld.length;
    for (const id of droppedOld) ops.push({ type: 'del', key: outboxKey(id) });
    const kept = ops.filter((op, i) => !(op.type === 'put' && i < droppedNew));
    if (excess > 0) kept.push({ type: 'put', key: DROPPED_KEY, value: String(this.droppedTotal + excess) });

    await this.db.batch(kept, { sync: true });

    for (const [pumpId, seq] of stagedSeqs) this.seqs.set(pumpId, seq);
    // An old entry acknowledged while this batch was written is still counted as dropped: a rare,
    // harmless overcount, where an undercount would hide a gap from the server.
    for (const id of droppedOld) this.fifo.delete(id);
    for (let i = droppedNew; i < group.length; i++) {
      this.fifo.push(firstId + i);
      this.queues.push(group[i]?.pumpId as string, firstId + i, (samples[i] as TelemetrySample).seq);
    }
    if (droppedOld.length > 0) this.queues.skipAbsent((id) => this.fifo.has(id));
    this.committedEnd = firstId + group.length;
    this.droppedTotal += excess;
    return samples;
  }
}
