import type { HubCommitted } from '@pumpwatch/protocol';
import type { WatermarkPublisher } from './ports.js';

/**
 * Keeps the newest message per hub in memory, as a broker keeps a retained one: for the in-process
 * replay, benchmarks and tests. `ready` can be turned off to play a broker that went away.
 */
export class MemoryWatermarkPublisher implements WatermarkPublisher {
  ready = true;
  readonly sent: Array<{ hubId: string; committed: HubCommitted }> = [];
  private readonly retained = new Map<string, HubCommitted>();

  async publish(hubId: string, committed: HubCommitted): Promise<void> {
    if (!this.ready) throw new Error('the publisher is not ready');
    this.sent.push({ hubId, committed });
    this.retained.set(hubId, committed);
  }

  /** What a hub subscribing now would read. */
  latest(hubId: string): HubCommitted | undefined {
    return this.retained.get(hubId);
  }
}
