interface Queue {
  ids: number[];
  seqs: number[];
  head: number;
}

/**
 * Each pump's outbox entries as (id, seq), oldest first. A pump's seqs and ids both only grow, so a
 * watermark frees a prefix. Entries removed another way (dropped over budget, a PUBACK from an older
 * server) are skipped lazily: `present` says whether an id is still on disk.
 */
export class PumpQueues {
  private readonly queues = new Map<string, Queue>();

  push(pumpId: string, id: number, seq: number): void {
    let queue = this.queues.get(pumpId);
    if (!queue) {
      queue = { ids: [], seqs: [], head: 0 };
      this.queues.set(pumpId, queue);
    }
    queue.ids.push(id);
    queue.seqs.push(seq);
  }

  /** Removes and returns the ids still present whose seq ≤ `seq`. */
  takeThrough(pumpId: string, seq: number, present: (id: number) => boolean): number[] {
    const queue = this.queues.get(pumpId);
    if (!queue) return [];
    const taken: number[] = [];
    while (queue.head < queue.ids.length && (queue.seqs[queue.head] as number) <= seq) {
      const id = queue.ids[queue.head] as number;
      if (present(id)) taken.push(id);
      queue.head++;
    }
    compact(queue);
    return taken;
  }

  /** Skips every queue's removed head entries (after drops over the budget). */
  skipAbsent(present: (id: number) => boolean): void {
    for (const pumpId of this.queues.keys()) this.lowestSeq(pumpId, present);
  }

  /** The lowest seq still present, or undefined. */
  lowestSeq(pumpId: string, present: (id: number) => boolean): number | undefined {
    const queue = this.queues.get(pumpId);
    if (!queue) return undefined;
    while (queue.head < queue.ids.length && !present(queue.ids[queue.head] as number)) queue.head++;
    compact(queue);
    return queue.head < queue.ids.length ? (queue.seqs[queue.head] as number) : undefined;
  }
}

/** Memory follows what is held, not the lifetime total. */
function compact(queue: Queue): void {
  if (queue.head > 1024 && queue.head * 2 > queue.ids.length) {
    queue.ids = queue.ids.slice(queue.head);
    queue.seqs = queue.seqs.slice(queue.head);
    queue.head = 0;
  }
}
