import type { HubCommitted } from '@pumpwatch/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { WatermarkPublisher } from '../src/confirm/ports.js';

export interface PublisherHarness {
  publisher: WatermarkPublisher;
  /** What a hub subscribing now would read for `hubId` (its retained message), waiting for it briefly. */
  read(hubId: string): Promise<HubCommitted | undefined>;
  /** The broker goes away: `ready` turns false. */
  disconnect(): Promise<void>;
  close(): Promise<void>;
}

const committed = (run: string, seq: number): HubCommitted => ({
  v: 1,
  run,
  ts: 1_700_000_000_000 + seq,
  pumps: { 'P-1': { seq, epoch: 'E1' }, 'P-2': { seq: seq - 1 } },
});

/** One suite every WatermarkPublisher passes (STYLE.md: contract tests per port). */
export function describeWatermarkPublisherContract(
  name: string,
  open: () => Promise<PublisherHarness>,
): void {
  describe(`watermark publisher contract: ${name}`, () => {
    const opened: PublisherHarness[] = [];
    afterEach(async () => {
      for (const harness of opened.splice(0)) await harness.close();
    });
    const start = async () => {
      const harness = await open();
      opened.push(harness);
      return harness;
    };

    it('keeps the newest message per hub for a hub that reads later', async () => {
      const { publisher, read } = await start();
      expect(publisher.ready).toBe(true);
      await publisher.publish('HUB-A', committed('r1', 5));
      await publisher.publish('HUB-A', committed('r1', 9));
      await publisher.publish('HUB-B', committed('r1', 3));
      expect(await read('HUB-A')).toEqual(committed('r1', 9));
      expect(await read('HUB-B')).toEqual(committed('r1', 3));
    });

    it('is not ready, and refuses, while the broker is away', async () => {
      const { publisher, disconnect } = await start();
      await disconnect();
      expect(publisher.ready).toBe(false);
      await expect(publisher.publish('HUB-A', committed('r1', 1))).rejects.toThrow();
    });
  });
}
