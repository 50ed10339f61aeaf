/**
 * The outbox ids present on disk, oldest first, kept in memory so depth and "drop the oldest" cost
 * nothing. Ids only ever grow, so appending keeps the order; removal out of order (PUBACKs, drops) marks
 * the id gone and the head skips it lazily.
 */
export class IdFifo {
  private ids: number[] = [];
  private head = 0;
  private readonly present = new Set<number>();

  get size(): number {
    return this.present.size;
  }

  /** `id` must be greater than every id pushed before. */
  push(id: number): void {
    this.ids.push(id);
    this.present.add(id);
  }

  has(id: number): boolean {
    return this.present.has(id);
  }

  /** Returns whether the id was present. */
  delete(id: number): boolean {
    if (!this.present.delete(id)) return false;
    this.skipAbsent();
    return true;
  }

  /** Up to `count` oldest ids, without removing them. */
  oldest(count: number): number[] {
    const result: number[] = [];
    for (let i = this.head; i < this.ids.length && result.length < count; i++) {
      const id = this.ids[i] as number;
      if (this.present.has(id)) result.push(id);
    }
    return result;
  }

  private skipAbsent(): void {
    while (this.head < this.ids.length && !this.present.has(this.ids[this.head] as number)) this.head++;
    // Compact once the dead prefix dominates, so memory follows the depth, not the lifetime total.
    if (this.head > 1024 && this.head * 2 > this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.head = 0;
    }
  }
}
