import type { LoadStats } from '@pumpwatch/simulators/mqtt';
import { cpuSecondsOf, sleep } from './proc.js';

/** The load generator as the ladder sees it. */
export interface LadderLoad {
  setRate(hz: number): void;
  stats(): Promise<LoadStats>;
}

export interface LadderStep {
  offeredPerS: number;
  /** Publishes the broker acknowledged per second, and messages the consumer took per second. */
  ackedPerS: number;
  consumedPerS: number;
  /** Acknowledged but not yet consumed, at the start and end of the window. */
  backlogStart: number;
  backlogEnd: number;
  pass: boolean;
  /** Why a step failed: the consumer fell behind, the broker did not acknowledge, or the generator could not send. */
  verdict: 'sustained' | 'lag grows' | 'broker behind' | 'generator-limited';
  /** CPU use of each watched process during the window, in % of one core. */
  cpuPct: Record<string, number>;
}

export interface LadderResult {
  /** The consumed rate of the best step that held (msg/s), 0 if none did. */
  sustainedPerS: number;
  /**
   * CPU microseconds per consumed message of each watched process at that step: steadier than the rates
   * on a shared machine, where the generator and the broker compete with the consumer for two cores.
   */
  cpuUsPerMessage: Record<string, number>;
  /** What ended the ladder. */
  limitedBy: LadderStep['verdict'] | 'max rate';
  steps: LadderStep[];
}

export interface LadderOptions {
  load: LadderLoad;
  /** Messages the consumer has taken so far (server: ingest accepted; bare relay: received). */
  consumed: () => Promise<number>;
  pumps: number;
  startPerS: number;
  factor: number;
  maxPerS: number;
  settleMs: number;
  windowMs: number;
  /** Processes whose CPU use is reported per step (server, broker, generator…), by name. */
  watch?: Record<string, number>;
  log: (line: string) => void;
}

/**
 * Raises the offered rate step by step (×factor) until the consumer falls behind: a step holds when the
 * backlog (acknowledged by the broker but not yet consumed) grows by at most 3 % of what arrived in the
 * window. After the first failure one more step halfway (geometric) between the last good rate and the
 * failed one narrows the answer.
 */
export async function findSustainedRate(options: LadderOptions): Promise<LadderResult> {
  const steps: LadderStep[] = [];
  let best: LadderStep | null = null;
  let rate = options.startPerS;
  let failedAt: number | null = null;
  let limitedBy: LadderResult['limitedBy'] = 'max rate';
  while (rate <= options.maxPerS) {
    const step = await measureStep(options, rate);
    steps.push(step);
    if (step.pass) best = step;
    else {
      failedAt = rate;
      limitedBy = step.verdict;
      break;
    }
    rate = Math.round(rate * options.factor);
  }
  if (failedAt !== null && best && limitedBy !== 'generator-limited') {
    const between = Math.round(Math.sqrt(best.offeredPerS * failedAt));
    if (between > best.offeredPerS * 1.08) {
      const step = await measureStep(options, between);
      steps.push(step);
      if (step.pass) best = step;
    }
  }
  const cpuUsPerMessage = Object.fromEntries(
    Object.entries(best?.cpuPct ?? {}).map(([name, pct]) => [
      name,
      Math.round(((pct / 100) * 1e6 * 10) / Math.max(best?.consumedPerS ?? 1, 1)) / 10,
    ]),
  );
  return { sustainedPerS: best ? Math.round(best.consumedPerS) : 0, cpuUsPerMessage, limitedBy, steps };
}

async function measureStep(options: LadderOptions, ratePerS: number): Promise<LadderStep> {
  const { load, consumed, pumps } = options;
  // Start from a consumer that is not still working off the previous step's backlog: offer a trickle
  // while it catches up (a failed step left the broker holding the excess).
  const before = await load.stats();
  if (before.acked - (await consumed()) > Math.max(200, 0.05 * ratePerS)) {
    load.setRate(Math.min(options.startPerS, ratePerS) / 4 / pumps);
    const drained = await drainBacklog(load, consumed);
    if (!drained.steady) options.log(`    warning: backlog still ${fmt(drained.backlog)} after 30 s`);
  }
  load.setRate(ratePerS / pumps);
  await sleep(options.settleMs);
  const watch = Object.entries(options.watch ?? {});
  const cpu0 = watch.map(([, pid]) => cpuSecondsOf(pid));
  const s0 = await load.stats();
  const c0 = await consumed();
  const t0 = performance.now();
  await sleep(options.windowMs);
  const s1 = await load.stats();
  const c1 = await consumed();
  const seconds = (performance.now() - t0) / 1000;
  const cpuPct = Object.fromEntries(
    watch.map(([name, pid], i) => [
      name,
      Math.round(((cpuSecondsOf(pid) - (cpu0[i] as number)) / seconds) * 100),
    ]),
  );
  const acked = s1.acked - s0.acked;
  const step: LadderStep = {
    offeredPerS: ratePerS,
    ackedPerS: acked / seconds,
    consumedPerS: (c1 - c0) / seconds,
    backlogStart: s0.acked - c0,
    backlogEnd: s1.acked - c1,
    pass: false,
    verdict: 'sustained',
    cpuPct,
  };
  const shortfall = s1.shortfall - s0.shortfall;
  const growth = step.backlogEnd - step.backlogStart;
  if (shortfall > 0.1 * ratePerS * seconds) step.verdict = 'generator-limited';
  else if (step.ackedPerS < 0.9 * ratePerS) step.verdict = 'broker behind';
  else if (growth > Math.max(0.03 * acked, 100)) step.verdict = 'lag grows';
  step.pass = step.verdict === 'sustained';
  options.log(
    `    offered ${fmt(ratePerS)}/s → acked ${fmt(step.ackedPerS)}/s, consumed ${fmt(step.consumedPerS)}/s, ` +
      `backlog ${fmt(step.backlogStart)} → ${fmt(step.backlogEnd)}: ${step.verdict}` +
      (watch.length ? `  [cpu ${watch.map(([name]) => `${name} ${cpuPct[name]}%`).join(', ')}]` : ''),
  );
  return step;
}

export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/**
 * Waits (at most `timeoutMs`) until the consumer has taken what the broker acknowledged, or the backlog
 * stops shrinking: a broker that dropped messages for a slow subscriber (Mosquitto beyond
 * max_queued_messages) leaves a backlog that never drains, and `lost` says how many.
 */
export async function drainBacklog(
  load: LadderLoad,
  consumed: () => Promise<number>,
  timeoutMs = 30_000,
): Promise<{ steady: boolean; backlog: number }> {
  const deadline = performance.now() + timeoutMs;
  let previous = Number.NaN;
  let still = 0;
  for (;;) {
    const backlog = (await load.stats()).acked - (await consumed());
    if (backlog <= 200) return { steady: true, backlog };
    still = Math.abs(backlog - previous) <= 50 ? still + 1 : 0;
    if (still >= 3) return { steady: true, backlog };
    if (performance.now() > deadline) return { steady: false, backlog };
    previous = backlog;
    await sleep(500);
  }
}
