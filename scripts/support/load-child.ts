import type { LoadStats } from '@pumpwatch/simulators/mqtt';
import { Forked } from './forked.js';

export interface LoadChildOptions {
  url: string;
  pumps: number;
  hz: number;
  pumpsPerHub?: number;
  idPrefix?: string;
  mix?: 'normal' | 'faults';
}

/** `scripts/load.ts` in its own process, driven over IPC: rate changes, polls and a graceful stop. */
export class LoadChild {
  private constructor(private readonly forked: Forked) {}

  static async start(options: LoadChildOptions): Promise<LoadChild> {
    const args = [
      `--url=${options.url}`,
      `--pumps=${options.pumps}`,
      `--hz=${options.hz}`,
      `--pumps-per-hub=${options.pumpsPerHub ?? 10}`,
      `--id-prefix=${options.idPrefix ?? 'LOAD'}`,
      `--mix=${options.mix ?? 'normal'}`,
      '--seconds=0',
    ];
    const { child } = await Forked.start('scripts/load.ts', args, 180_000);
    return new LoadChild(child);
  }

  get pid(): number {
    return this.forked.pid;
  }

  setRate(hz: number): void {
    this.forked.send({ type: 'rate', hz });
  }

  async stats(): Promise<LoadStats> {
    return (await this.forked.ask({ type: 'poll' }, 'polled')).stats as LoadStats;
  }

  async stop(): Promise<void> {
    await this.forked.stop(20_000);
  }
}
