import type { PumpSource, PumpSourceListener } from '../../src/sources/pump-source.js';

/** Two pumps sampling every `intervalMs` until paused: a fast, controllable stand-in for a driver. */
export class TickingSource implements PumpSource {
  readonly name = 'test:ticking';
  readonly pumpIds = ['P-1', 'P-2'];
  private timer: NodeJS.Timeout | null = null;
  private ts = 1_700_000_000_000;

  constructor(private readonly intervalMs = 10) {}

  async start(listener: PumpSourceListener): Promise<void> {
    for (const pumpId of this.pumpIds) listener.link(pumpId, 'up');
    this.timer = setInterval(() => {
      this.ts += this.intervalMs;
      for (const pumpId of this.pumpIds) {
        listener.reading({
          pumpId,
          sample: { v: 1, ts: this.ts, state: 'infusing', rate_mL_h: 10, vi_mL: 1, alarms: [] },
        });
      }
    }, this.intervalMs);
  }

  pause(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  async stop(): Promise<void> {
    this.pause();
  }
}
