interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for a DuckDB writer: items asked for while a commit is on disk wait for it, then go
 * together in the next one. Each commit syncs the WAL (~5–10 ms here), so one commit per item queues a
 * burst behind itself. A group that fails is retried item by item, in order, so one bad item fails alone.
 */
export class GroupCommit<T> {
  private pending: Array<Pending<T>> = [];
  private writing: Promise<void> | null = null;

  constructor(
    private readonly commit: (group: T[]) => Promise<void>,
    private readonly maxGroup = 500,
  ) {}

  /** Resolves once the item is committed, in the order items were added. */
  add(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.writing) this.writing = this.writeAll();
    });
  }

  /** Resolves once every item added so far has committed (or failed). */
  async drain(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async writeAll(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, this.maxGroup);
        try {
          await this.commit(group.map((entry) => entry.item));
          for (const entry of group) entry.resolve();
        } catch (error) {
          if (group.length === 1) {
            group[0]?.reject(error);
            continue;
          }
          for (const entry of group) await this.commit([entry.item]).then(entry.resolve, entry.reject);
        }
      }
    } finally {
      this.writing = null;
    }
  }
}
