export type ConfirmationState = 'confirmed' | 'not_confirmed';

/**
 * "Monitoring not confirmed", as a pure state machine: samples have been waiting, and nothing has
 * confirmed any of them, for `afterMs`. One episode per entry; confirmation resuming ends it.
 */
export class UnconfirmedMonitor {
  private current: ConfirmationState = 'confirmed';
  private changedAt: number;
  private waitingSince: number | null = null;
  private lastProgressAt: number;
  episodes = 0;

  constructor(
    private readonly afterMs: number,
    now: number,
  ) {
    this.changedAt = now;
    this.lastProgressAt = now;
  }

  get state(): ConfirmationState {
    return this.current;
  }

  get since(): number {
    return this.changedAt;
  }

  get lastConfirmedAt(): number {
    return this.lastProgressAt;
  }

  /** Something was confirmed (freed by a watermark, or acknowledged by an older server's broker). */
  progress(now: number): void {
    this.lastProgressAt = now;
  }

  /** Call every second or so; returns the transition, if any. */
  observe(now: number, waiting: boolean): 'entered' | 'left' | null {
    if (!waiting) this.waitingSince = null;
    else if (this.waitingSince === null) this.waitingSince = now;
    const quietFor = this.waitingSince === null ? 0 : now - Math.max(this.waitingSince, this.lastProgressAt);
    const unconfirmed = this.waitingSince !== null && quietFor >= this.afterMs;
    if (unconfirmed && this.current === 'confirmed') {
      this.current = 'not_confirmed';
      this.changedAt = now;
      this.episodes += 1;
      return 'entered';
    }
    // Left when something is confirmed again, or nothing is waiting any more.
    if (this.current === 'not_confirmed' && !unconfirmed) {
      this.current = 'confirmed';
      this.changedAt = now;
      return 'left';
    }
    return null;
  }
}
