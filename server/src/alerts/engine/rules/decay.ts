/**
 * exp(−dt / tau), remembered for the last (dt, tau) it was asked. Pumps report at a fixed interval, so
 * nearly every sample of every pump asks for the same decay as the one before, and Math.exp was one of
 * the costliest steps per sample (npm run bench:engine). A pure memo: the same inputs give the same
 * value bit for bit, so replay determinism is unaffected. One instance per call site, since sites with
 * different time constants would evict each other.
 */
export class DecayMemo {
  private dt = Number.NaN;
  private tau = Number.NaN;
  private value = Number.NaN;

  of(dt: number, tau: number): number {
    if (dt !== this.dt || tau !== this.tau) {
      this.dt = dt;
      this.tau = tau;
      this.value = Math.exp(-dt / tau);
    }
    return this.value;
  }
}
