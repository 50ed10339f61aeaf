import { describe, expect, it } from 'vitest';
import { CommitWatermarks } from '../src/confirm/commit-watermarks.js';
import { ConfirmationService } from '../src/confirm/confirmation-service.js';
import { MemoryWatermarkPublisher } from '../src/confirm/memory-watermark-publisher.js';
import { sample } from './fixtures.js';

const commitAll = (marks: CommitWatermarks, seqs: number[], epoch?: string) => {
  for (const seq of seqs) marks.committed('H', 'P', epoch, seq);
};
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('CommitWatermarks', () => {
  it('is the end of the contiguous committed run, not the highest seq', () => {
    const marks = new CommitWatermarks();
    expect(marks.watermark('P')).toBeUndefined();
    commitAll(marks, [0, 1, 2, 5, 6]);
    expect(marks.watermark('P')).toEqual({ seq: 2 });
    commitAll(marks, [4]);
    expect(marks.watermark('P')?.seq).toBe(2);
    commitAll(marks, [3]);
    expect(marks.watermark('P')?.seq).toBe(6);
  });

  it('after a restart, stops at the first gap in the store (what the killed server lost), until it is filled', () => {
    const marks = new CommitWatermarks();
    marks.restore('H', 'P', 'E', [...range(0, 80), ...range(101, 200)]);
    expect(marks.watermark('P')).toEqual({ seq: 80, epoch: 'E' });
    commitAll(marks, range(81, 99), 'E');
    expect(marks.watermark('P')?.seq).toBe(99);
    commitAll(marks, [100], 'E');
    expect(marks.watermark('P')?.seq).toBe(200);
  });

  it('passes a gap the hub can never fill when the hub reports its floor', () => {
    const marks = new CommitWatermarks();
    commitAll(marks, [...range(0, 10), ...range(50, 60)]);
    marks.floor('H', 'P', undefined, 30);
    expect(marks.watermark('P')?.seq).toBe(29);
    marks.floor('H', 'P', undefined, 50);
    expect(marks.watermark('P')?.seq).toBe(60);
    // A stale, lower floor changes nothing.
    marks.floor('H', 'P', undefined, 5);
    expect(marks.watermark('P')?.seq).toBe(60);
  });

  it('starts again from −1 for a new epoch (a hub store wiped)', () => {
    const marks = new CommitWatermarks();
    commitAll(marks, range(0, 500));
    commitAll(marks, [0, 1], 'E2');
    expect(marks.watermark('P')).toEqual({ seq: 1, epoch: 'E2' });
  });

  it('merges out-of-order commits of any order into one run', () => {
    const marks = new CommitWatermarks();
    const seqs = range(1, 300);
    // A fixed shuffle: every 7th, then the rest backwards.
    const order = [...seqs.filter((s) => s % 7 === 0), ...seqs.filter((s) => s % 7 !== 0).reverse()];
    commitAll(marks, order);
    expect(marks.watermark('P')?.seq).toBe(-1);
    commitAll(marks, [0]);
    expect(marks.watermark('P')?.seq).toBe(300);
  });

  it('marks only hubs whose watermarks moved, and follows a pump to its new hub', () => {
    const marks = new CommitWatermarks();
    marks.committed('H1', 'P', undefined, 0);
    marks.committed('H2', 'Q', undefined, 0);
    expect(marks.takeDirty().sort()).toEqual(['H1', 'H2']);
    marks.committed('H1', 'P', undefined, 5);
    expect(marks.takeDirty()).toEqual([]);
    marks.committed('H2', 'P', undefined, 0);
    expect(marks.hubWatermarks('H1')).toEqual({});
    expect(marks.hubWatermarks('H2')).toEqual({ Q: { seq: 0 }, P: { seq: 0 } });
  });
});

describe('ConfirmationService', () => {
  it('publishes once per commit per hub, after the store says the samples are durable', async () => {
    let release: () => void = () => {};
    const waits: number[] = [];
    const samples = {
      committed: () => {
        waits.push(Date.now());
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    };
    const publisher = new MemoryWatermarkPublisher();
    const service = new ConfirmationService({
      samples,
      publisher,
      now: Date.now,
      onError: (_owner, error) => {
        throw error;
      },
      minIntervalMs: 0,
      runId: 'run-A',
    });
    for (let seq = 0; seq < 50; seq++) service.taken('H', 'P', sample({ seq, epoch: 'E' }));
    await new Promise((resolve) => setImmediate(resolve));
    // Taken, not yet committed: nothing told.
    expect(publisher.sent).toEqual([]);
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(publisher.sent).toHaveLength(1);
    expect(publisher.latest('H')).toMatchObject({
      v: 1,
      run: 'run-A',
      pumps: { P: { seq: 49, epoch: 'E' } },
    });
    expect(waits).toHaveLength(1);
    service.stop();
  });

  it('announces a new run to every restored hub at start, and republishes when the broker returns', async () => {
    const publisher = new MemoryWatermarkPublisher();
    const service = new ConfirmationService({
      samples: { committed: async () => {} },
      publisher,
      now: Date.now,
      onError: () => {},
      minIntervalMs: 0,
      runId: 'run-B',
    });
    service.restore(
      [
        { pumpId: 'P1', seq: 0 },
        { pumpId: 'P1', seq: 1 },
        { pumpId: 'P2', seq: 7, epoch: 'E' },
      ],
      (pumpId) => (pumpId === 'P1' ? 'H1' : 'H2'),
    );
    service.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(publisher.latest('H1')?.pumps).toEqual({ P1: { seq: 1 } });
    expect(publisher.latest('H2')?.pumps).toEqual({ P2: { seq: 7, epoch: 'E' } });
    publisher.sent.length = 0;
    service.republishAll();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(publisher.sent.map((s) => s.hubId).sort()).toEqual(['H1', 'H2']);
    service.stop();
  });
});
