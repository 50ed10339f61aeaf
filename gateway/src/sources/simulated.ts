import { createPumpFromScenario, type PumpModel, type Scenario } from '@pumpwatch/simulators';
import type { PumpSource, PumpSourceListener } from './pump-source.js';

export interface SimulatedPumpSourceOptions {
  pumpId: string;
  scenario: Scenario;
  seed: number;
  /** Wall-clock ms between samples (default 1000). */
  intervalMs?: number;
  /** Time acceleration: simulated time runs `speed`× faster than the wall clock (default 1). */
  speed?: number;
  /** Wall clock (epoch ms); simulated time starts from it. */
  now?: () => number;
}

/**
 * Drives one PumpModel on a timer. Event time starts at `now()` and runs `speed`× faster than the wall
 * clock; the simulated hub clock (`hubTs`) runs with it, so an accelerated run does not look like clock
 * skew, and only a scenario's `clock_offset` event does.
 */
export class SimulatedPumpSource implements PumpSource {
  readonly name: string;
  readonly pumpIds: readonly string[];
  private readonly intervalMs: number;
  private readonly speed: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private listener: PumpSourceListener | null = null;
  private model: PumpModel | null = null;
  private wallStart = 0;
  private simStart = 0;
  private lastSimTs = 0;

  constructor(private readonly options: SimulatedPumpSourceOptions) {
    this.name = `simulated:${options.pumpId}`;
    this.pumpIds = [options.pumpId];
    this.intervalMs = options.intervalMs ?? 1000;
    this.speed = options.speed ?? 1;
    this.now = options.now ?? Date.now;
  }

  async start(listener: PumpSourceListener): Promise<void> {
    if (this.timer) return;
    this.listener = listener;
    this.wallStart = this.now();
    this.simStart = this.wallStart;
    this.lastSimTs = this.simStart;
    this.model = createPumpFromScenario(this.options.scenario, {
      seed: this.options.seed,
      startTs: this.simStart,
    });
    listener.link(this.options.pumpId, 'up');
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.listener?.link(this.options.pumpId, 'down', 'simulator stopped');
    this.listener = null;
  }

  private tick(): void {
    const { model, listener } = this;
    if (!model || !listener) return;
    // A wall clock stepped backwards (NTP) must not run the model backwards.
    const simTs = Math.max(
      this.lastSimTs,
      this.simStart + Math.round((this.now() - this.wallStart) * this.speed),
    );
    this.lastSimTs = simTs;
    try {
      model.advance(simTs);
      if (model.reporting)
        listener.reading({ pumpId: this.options.pumpId, sample: { ...model.sample(), hubTs: simTs } });
    } catch (error) {
      listener.error(error instanceof Error ? error : new Error(String(error)), this.options.pumpId);
    }
  }
}
