import type { ServerFrame } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { sample } from './fixtures.js';
import { testWard } from './support/ward.js';

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // A slow client or a large frame: the flush must not run past its budget because of it.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function wardSending(frames: string[][], options: { batch?: number; slowFrameMs?: number } = {}) {
  return testWard({
    broadcast: (frame: ServerFrame) => {
      if (frame.type !== 'pumps') return;
      frames.push(frame.pumps.map((pump) => pump.pumpId));
      if (options.slowFrameMs) busyFor(options.slowFrameMs);
    },
    ...(options.batch ? { pumpFrameBatch: options.batch } : {}),
  });
}

/** Runs flushes until every one of `pumps` pumps was sent; returns how many pumps each flush sent. */
async function flushUntilSent(
  ward: ReturnType<typeof testWard>,
  frames: string[][],
  pumps: number,
): Promise<number[]> {
  const sent = () => frames.reduce((sum, frame) => sum + frame.length, 0);
  const perFlush: number[] = [];
  for (let i = 0; i < pumps; i += 1) ward.shell.onSample('hub-1', `PUMP-${i}`, sample({ seq: 1 }));
  ward.frames.start();
  try {
    // Each flush is a macrotask of its own: count what each one sent.
    for (let n = 0; n < 40 && sent() < pumps; n += 1) {
      const before = sent();
      await sleep(55);
      perFlush.push(sent() - before);
    }
  } finally {
    ward.frames.stop();
  }
  return perFlush;
}

describe('pump frames', () => {
  it('carry many pumps each: every changed pump once, in frames of at most the batch size', async () => {
    const frames: string[][] = [];
    await flushUntilSent(wardSending(frames, { batch: 25 }), frames, 60);
    expect(frames.map((frame) => frame.length)).toEqual([25, 25, 10]);
    expect(new Set(frames.flat()).size).toBe(60);
  });

  it('go out in slices of the event loop, none left behind', async () => {
    // One pump a frame and 1 ms a frame (a slow client, a large frame) against the 8 ms budget.
    const frames: string[][] = [];
    const perFlush = await flushUntilSent(wardSending(frames, { batch: 1, slowFrameMs: 1 }), frames, 60);
    expect(new Set(frames.flat()).size).toBe(60);
    expect(frames.flat()).toHaveLength(60);
    // No flush sent all 60 at once.
    expect(Math.max(...perFlush)).toBeLessThan(30);
  });
});

describe('the ward bus', () => {
  it('sends each changed pump: a sample, an order, a move, a link report', async () => {
    const frames: string[][] = [];
    const ward = wardSending(frames);
    ward.shell.onSample('hub-1', 'PUMP-1', sample({ seq: 1 }));
    ward.frames.flush();
    expect(frames).toEqual([['PUMP-1']]);
    await ward.shell.setOrder({
      pumpId: 'PUMP-2',
      drug: 'saline',
      rate_mL_h: 10,
      vtbi_mL: 100,
      tolerance_pct: 10,
      updatedAt: 1,
      updatedBy: 'admin',
    });
    ward.shell.onSample('hub-1', 'PUMP-3', sample({ seq: 1 }));
    expect(ward.shell.onPumpLink('hub-2', 'PUMP-3', { state: 'down', ts: 1 })).toBe('pump_not_owned');
    ward.frames.flush();
    // PUMP-2 has an order but has never reported: no view, no frame.
    expect(frames.slice(1)).toEqual([['PUMP-3']]);
  });

  it('keeps the other listeners going when one throws, and counts it by its owner', () => {
    const owners: string[] = [];
    const alerts: string[] = [];
    const ward = testWard({
      onError: (owner) => owners.push(owner),
      broadcast: (frame) => {
        if (frame.type === 'alert') alerts.push(frame.alert.rule);
      },
    });
    ward.bus.on('alert', 'broken-listener', () => {
      throw new Error('listener broke');
    });
    ward.bus.on('alert', 'rejecting-listener', async () => {
      throw new Error('async listener broke');
    });
    ward.shell.onSample('hub-1', 'PUMP-1', sample({ seq: 1, alarms: ['air_in_line'], state: 'stopped' }));
    expect(alerts).toEqual(['air_in_line']);
    expect(owners).toContain('broken-listener');
    ward.bus.removeListeners('broken-listener');
    expect(ward.bus.owners('alert')).not.toContain('broken-listener');
  });
});
