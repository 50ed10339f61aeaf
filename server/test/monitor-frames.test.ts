import type { Alert, ServerFrame } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { AlertService } from '../src/alerts/alert-service.js';
import { defaultEngineParams } from '../src/alerts/engine/params.js';
import { defaultEscalationPolicy } from '../src/alerts/lifecycle.js';
import { IngestStats } from '../src/ingest/ingest-stats.js';
import { PumpMonitor } from '../src/monitor.js';
import { PumpRegistry } from '../src/pumps/pump-registry.js';
import type { AlertStore, SampleStore } from '../src/store/ports.js';
import { sample } from './fixtures.js';

const alertStore: AlertStore = {
  save: async () => undefined,
  get: async () => null,
  unresolved: async (): Promise<Alert[]> => [],
  list: async (): Promise<Alert[]> => [],
  events: async () => [],
};

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // A slow client or a large frame: the flush must not run past its budget because of it.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pump frames', () => {
  it('go out in slices of the event loop, each pump once, none left behind', async () => {
    const frames: string[] = [];
    const perFlush: number[] = [];
    const monitor = new PumpMonitor({
      registry: new PumpRegistry(600_000),
      alerts: new AlertService({
        store: alertStore,
        params: defaultEngineParams,
        policy: defaultEscalationPolicy,
        tiers: [],
        notifiers: [],
        now: Date.now,
        onTransition: () => undefined,
        onError: () => undefined,
      }),
      samples: { append: () => undefined } as unknown as SampleStore,
      stats: new IngestStats(),
      now: Date.now,
      broadcast: (frame: ServerFrame) => {
        if (frame.type !== 'pump') return;
        frames.push(frame.pump.pumpId);
        busyFor(1);
      },
      pumpFrameIntervalMs: 1000,
    });
    for (let i = 0; i < 60; i += 1) monitor.onSample('hub-1', `PUMP-${i}`, sample({ seq: 1 }));
    monitor.start(60_000);
    try {
      // Each flush is a macrotask of its own: count what each one sent.
      for (let n = 0; n < 40 && frames.length < 60; n += 1) {
        const before = frames.length;
        await sleep(55);
        perFlush.push(frames.length - before);
      }
    } finally {
      monitor.stop();
    }
    expect(new Set(frames).size).toBe(60);
    expect(frames).toHaveLength(60);
    // 1 ms per frame and an 8 ms budget: no flush sent all 60 at once.
    expect(Math.max(...perFlush)).toBeLessThan(30);
  });
});
