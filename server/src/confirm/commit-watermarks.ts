import type { PumpWatermark } from '@pumpwatch/protocol';

/**
 * Ranges committed above a gap, as [lo, hi] pairs, sorted and disjoint. Beyond this many the highest
 * range is forgotten: forgetting is safe (the hub holds those samples and sends them again, and the
 * server's duplicate detection absorbs them), remembering without bound is not.
 */
const MAX_RANGES = 256;

interface PumpMark {
  hubId: string;
  epoch: string | undefined;
  /** Every seq ≤ this, in `epoch`, is committed or settled; −1 before the first. */
  through: number;
  above: number[];
}

/**
 * Pure bookkeeping of how far the server has committed each pump (docs/protocol.md, "Confirmation").
 * The watermark is the end of the *contiguous* committed run, not the highest seq committed: samples a
 * dying server had taken but not committed leave a gap below later ones, and a hub told "highest" would
 * delete samples that exist nowhere. A gap the hub can never fill (samples dropped over its disk
 * budget) is passed when the hub reports its floor.
 */
export class CommitWatermarks {
  private readonly pumps = new Map<string, PumpMark>();
  private readonly hubs = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();

  /** Seqs found in the store at start (ascending, one epoch): the first run, and the runs above gaps. */
  restore(hubId: string, pumpId: string, epoch: string | undefined, ascending: readonly number[]): void {
    const mark = this.markFor(hubId, pumpId, epoch);
    for (const seq of ascending) this.add(mark, seq);
    if (ascending.length > 0) {
      // What came before the oldest seq kept is committed too (or pruned after it was).
      mark.through = Math.max(mark.through, (ascending[0] as number) - 1);
      this.absorb(mark);
    }
    this.dirty.add(hubId);
  }

  /** A sample taken (stored or a duplicate of a stored one) whose commit is now durable. */
  committed(hubId: string, pumpId: string, epoch: string | undefined, seq: number): void {
    const mark = this.markFor(hubId, pumpId, epoch);
    const before = mark.through;
    this.add(mark, seq);
    if (mark.through !== before) this.dirty.add(hubId);
  }

  /** The hub will never send a seq below `next` again for this pump. */
  floor(hubId: string, pumpId: string, epoch: string | undefined, next: number): void {
    const mark = this.markFor(hubId, pumpId, epoch);
    if (next - 1 <= mark.through) return;
    mark.through = next - 1;
    this.absorb(mark);
    this.dirty.add(hubId);
  }

  /** Hubs whose watermarks moved since the last call. */
  takeDirty(): string[] {
    const hubs = [...this.dirty];
    this.dirty.clear();
    return hubs;
  }

  /** Marks a hub for publishing again (its last publish failed). */
  markDirty(hubId: string): void {
    this.dirty.add(hubId);
  }

  hubIds(): string[] {
    return [...this.hubs.keys()];
  }

  /** The watermark of every pump of the hub, as the `committed` message carries them. */
  hubWatermarks(hubId: string): Record<string, PumpWatermark> {
    const out: Record<string, PumpWatermark> = {};
    for (const pumpId of this.hubs.get(hubId) ?? []) {
      const mark = this.pumps.get(pumpId) as PumpMark;
      out[pumpId] = { seq: mark.through, ...(mark.epoch !== undefined && { epoch: mark.epoch }) };
    }
    return out;
  }

  watermark(pumpId: string): PumpWatermark | undefined {
    const mark = this.pumps.get(pumpId);
    if (!mark) return undefined;
    return { seq: mark.through, ...(mark.epoch !== undefined && { epoch: mark.epoch }) };
  }

  private markFor(hubId: string, pumpId: string, epoch: string | undefined): PumpMark {
    let mark = this.pumps.get(pumpId);
    if (!mark) {
      mark = { hubId, epoch, through: -1, above: [] };
      this.pumps.set(pumpId, mark);
      this.hubPumps(hubId).add(pumpId);
      return mark;
    }
    if (mark.hubId !== hubId) {
      // The pump moved (an admin's `PUT /api/pumps/{id}/hub`): its new hub counts its own seqs.
      this.hubs.get(mark.hubId)?.delete(pumpId);
      this.dirty.add(mark.hubId);
      this.hubPumps(hubId).add(pumpId);
      Object.assign(mark, { hubId, epoch, through: -1, above: [] });
    } else if (mark.epoch !== epoch) {
      Object.assign(mark, { epoch, through: -1, above: [] });
    }
    return mark;
  }

  private hubPumps(hubId: string): Set<string> {
    let pumps = this.hubs.get(hubId);
    if (!pumps) {
      pumps = new Set();
      this.hubs.set(hubId, pumps);
    }
    return pumps;
  }

  private add(mark: PumpMark, seq: number): void {
    if (seq <= mark.through) return;
    if (seq === mark.through + 1) {
      mark.through = seq;
      this.absorb(mark);
      return;
    }
    insertRange(mark.above, seq);
  }

  /** Joins the ranges that now touch the contiguous run. */
  private absorb(mark: PumpMark): void {
    const { above } = mark;
    let drop = 0;
    while (drop < above.length && (above[drop] as number) <= mark.through + 1) {
      mark.through = Math.max(mark.through, above[drop + 1] as number);
      drop += 2;
    }
    if (drop > 0) above.splice(0, drop);
  }
}

/** Adds one seq to sorted disjoint [lo, hi] pairs, merging neighbours; usually it extends the last. */
function insertRange(ranges: number[], seq: number): void {
  const n = ranges.length;
  if (n > 0 && (ranges[n - 1] as number) === seq - 1) {
    ranges[n - 1] = seq;
    return;
  }
  let i = 0;
  while (i < n && (ranges[i + 1] as number) < seq - 1) i += 2;
  if (i < n && (ranges[i] as number) <= seq + 1) {
    if (seq >= (ranges[i] as number) && seq <= (ranges[i + 1] as number)) return;
    if (seq === (ranges[i] as number) - 1) ranges[i] = seq;
    else ranges[i + 1] = seq;
    // The range may now touch the next one.
    if (i + 2 < ranges.length && (ranges[i + 2] as number) <= (ranges[i + 1] as number) + 1) {
      ranges[i + 1] = Math.max(ranges[i + 1] as number, ranges[i + 3] as number);
      ranges.splice(i + 2, 2);
    }
    return;
  }
  ranges.splice(i, 0, seq, seq);
  if (ranges.length > MAX_RANGES * 2) ranges.splice(ranges.length - 2, 2);
}
