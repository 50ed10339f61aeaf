export type SeqVerdict = 'new' | 'duplicate' | 'beyond_window';

/**
 * Remembers which of a pump's last `size` sequence numbers have arrived, so redelivered samples
 * (at-least-once MQTT, a gateway replaying its outbox) are stored once, while samples that arrive out of
 * order are still accepted. Memory is fixed: one bit per slot.
 */
export class SeqWindow {
  private maxSeq = -1;
  private readonly bits: Uint8Array;

  constructor(private readonly size = 65_536) {
    this.bits = new Uint8Array(Math.ceil(size / 8));
  }

  get highest(): number {
    return this.maxSeq;
  }

  /** Forgets every seq: a hub store that started afresh (a new epoch) counts from 0 again. */
  reset(): void {
    this.maxSeq = -1;
    this.bits.fill(0);
  }

  check(seq: number): SeqVerdict {
    if (seq > this.maxSeq) return 'new';
    if (this.maxSeq - seq >= this.size) return 'beyond_window';
    return this.has(seq) ? 'duplicate' : 'new';
  }

  /** Records `seq` as seen; returns false when it had been seen already. */
  mark(seq: number): boolean {
    if (seq > this.maxSeq) {
      this.clearRange(this.maxSeq + 1, seq);
      this.maxSeq = seq;
    } else if (this.maxSeq - seq >= this.size || this.has(seq)) {
      return false;
    }
    const slot = seq % this.size;
    this.bits[slot >> 3] = (this.bits[slot >> 3] as number) | (1 << (slot & 7));
    return true;
  }

  private has(seq: number): boolean {
    const slot = seq % this.size;
    return ((this.bits[slot >> 3] as number) & (1 << (slot & 7))) !== 0;
  }

  private clearRange(fromSeq: number, toSeqInclusive: number): void {
    if (toSeqInclusive - fromSeq + 1 >= this.size) {
      this.bits.fill(0);
      return;
    }
    for (let seq = fromSeq; seq <= toSeqInclusive; seq += 1) {
      const slot = seq % this.size;
      this.bits[slot >> 3] = (this.bits[slot >> 3] as number) & ~(1 << (slot & 7));
    }
  }
}
