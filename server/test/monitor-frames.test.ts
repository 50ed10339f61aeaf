import type { ServerFrame } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import type { PumpMonitor } from '../src/monitor.js';
import { sample } from './fixtures.js';
import { framesOnlyMonitor } from './support/frames-only-monitor.js';

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // A slow client or a large frame: the flush must not run past its budget because of it.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function monitorSending(frames: string[][], options: { batch?: number; slowFrameMs?: number } = {}) {
  return framesOnlyMonitor((frame: ServerFrame) => {
    if (frame.type !== 'pumps') return;
    frames.push(frame.pumps.map((pump) => pump.pumpId));
    if (options.slowFrameMs) busyFor(options.slowFrameMs);
  }, options.batch);
}

/** Runs flushes until every one of `pumps` pumps was sent; returns how many pumps each flush sent. */
async function flushUntilSent(monitor: PumpMonitor, frames: string[][], pumps: number): Promise<number[]> {
  const sent = () => frames.reduce((sum, frame) => sum + frame.length, 0);
  const perFlush: number[] = [];
  for (let i = 0; i < pumps; i += 1) monitor.onSample('hub-1', `PUMP-${i}`, sample({ seq: 1 }));
  monitor.start(60_000);
  try {
    // Each flush is a macrotask of its own: count what each one sent.
    for (let n = 0; n < 40 && sent() < pumps; n += 1) {
      const before = sent();
      await sleep(55);
      perFlush.push(sent() - before);
    }
  } finally {
    monitor.stop();
  }
  return perFlush;
}

describe('pump frames', () => {
  it('carry many pumps each: every changed pump once, in frames of at most the batch size', async () => {
    const frames: string[][] = [];
    await flushUntilSent(monitorSending(frames, { batch: 25 }), frames, 60);
    expect(frames.map((frame) => frame.length)).toEqual([25, 25, 10]);
    expect(new Set(frames.flat()).size).toBe(60);
  });

  it('go out in slices of the event loop, none left behind', async () => {
    // One pump a frame and 1 ms a frame (a slow client, a large frame) against the 8 ms budget.
    const frames: string[][] = [];
    const perFlush = await flushUntilSent(monitorSending(frames, { batch: 1, slowFrameMs: 1 }), frames, 60);
    expect(new Set(frames.flat()).size).toBe(60);
    expect(frames.flat()).toHaveLength(60);
    // No flush sent all 60 at once.
    expect(Math.max(...perFlush)).toBeLessThan(30);
  });
});
