/**
 * Exponential backoff with jitter for reopening a port or reconnecting a radio: quick after a blip,
 * gentle on a pump (and a USB stack) that stays away. Jitter keeps several pumps from retrying in step.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; each call doubles it up to `maxMs` (±20 % jitter). */
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(base * (0.8 + 0.4 * this.random()));
  }

  /** After a success: the next failure retries quickly again. */
  reset(): void {
    this.attempt = 0;
  }
}
