import { describe, expect, it } from 'vitest';
import {
  addVolumePoint,
  DELIVERY_WINDOW_MS,
  deliveredRate,
  deliveredSeries,
  trackDelivery,
  type VolumePoint,
} from '../src/delivered.js';
import { pump, sample } from './fixtures.js';

/** Samples every `everyMs` at `rate` mL/h from t0. */
function run(n: number, everyMs: number, rate: number, t0 = 1_000_000, vi0 = 10): VolumePoint[] {
  return Array.from({ length: n }, (_, i) => ({
    ts: t0 + i * everyMs,
    vi_mL: vi0 + (rate * i * everyMs) / 3_600_000,
  }));
}

describe('delivered rate (ΔVI / Δt)', () => {
  it('measures the rate over the trailing window', () => {
    let points: readonly VolumePoint[] = [];
    for (const p of run(61, 1000, 100)) points = addVolumePoint(points, p);
    expect(deliveredRate(points)).toBeCloseTo(100, 6);
    // The window spans the last minute and no more.
    const first = points[0] as VolumePoint;
    const last = points[points.length - 1] as VolumePoint;
    expect(last.ts - first.ts).toBe(DELIVERY_WINDOW_MS);
  });

  it('says nothing until the samples span 10 s', () => {
    let points: readonly VolumePoint[] = [];
    for (const p of run(10, 1000, 100)) points = addVolumePoint(points, p);
    expect(deliveredRate(points)).toBeNull();
    points = addVolumePoint(points, { ts: 1_010_000, vi_mL: 10 + 100 * (10 / 3600) });
    expect(deliveredRate(points)).toBeCloseTo(100, 6);
  });

  it('ignores repeated and older samples', () => {
    const points = addVolumePoint([{ ts: 2000, vi_mL: 5 }], { ts: 2000, vi_mL: 9 });
    expect(points).toEqual([{ ts: 2000, vi_mL: 5 }]);
    expect(addVolumePoint(points, { ts: 1000, vi_mL: 1 })).toBe(points);
  });

  it('starts over when the volume goes down (a new bag), never reporting a negative rate', () => {
    let points: readonly VolumePoint[] = [];
    for (const p of run(20, 1000, 100)) points = addVolumePoint(points, p);
    points = addVolumePoint(points, { ts: 1_020_000, vi_mL: 0 });
    expect(points).toEqual([{ ts: 1_020_000, vi_mL: 0 }]);
    expect(deliveredRate(points)).toBeNull();
  });

  it('starts over when the pump changes state: a pump that just stopped does not show its old rate', () => {
    let points: readonly VolumePoint[] = [];
    for (const p of run(30, 1000, 100)) points = addVolumePoint(points, { ...p, state: 'infusing' });
    points = addVolumePoint(points, { ts: 1_030_000, vi_mL: 12, state: 'stopped' });
    expect(deliveredRate(points)).toBeNull();
    points = addVolumePoint(points, { ts: 1_045_000, vi_mL: 12, state: 'stopped' });
    expect(deliveredRate(points)).toBe(0);
    const series = deliveredSeries([
      ...run(20, 1000, 36).map((p) => ({ ...p, state: 'infusing' as const })),
      { ts: 1_020_000, vi_mL: 11, state: 'stopped' as const },
    ]);
    expect(series[19]).toBeCloseTo(36, 6);
    expect(series[20]).toBeNull();
  });

  it('shows a stopped pump as delivering nothing', () => {
    const points = [
      { ts: 0, vi_mL: 5 },
      { ts: 30_000, vi_mL: 5 },
    ];
    expect(deliveredRate(points)).toBe(0);
  });

  it('tracks every pump of a snapshot and keeps the others on a single pump frame', () => {
    const a = pump({ pumpId: 'a', latest: sample({ ts: 1000, vi_mL: 1 }) });
    const b = pump({ pumpId: 'b', latest: sample({ ts: 1000, vi_mL: 2 }) });
    let windows = trackDelivery(new Map(), [a, b], false);
    expect([...windows.keys()]).toEqual(['a', 'b']);
    windows = trackDelivery(
      windows,
      [pump({ pumpId: 'a', latest: sample({ ts: 21_000, vi_mL: 1.5 }) })],
      true,
    );
    expect(windows.get('a')).toHaveLength(2);
    expect(windows.get('b')).toHaveLength(1);
    expect(deliveredRate(windows.get('a') ?? [])).toBeCloseTo(90, 6);
    // A snapshot drops pumps the server no longer lists.
    expect([...trackDelivery(windows, [a], false).keys()]).toEqual(['a']);
  });

  it('builds a series for charts with the same window', () => {
    const series = deliveredSeries(run(30, 1000, 36));
    expect(series.slice(0, 10)).toEqual(Array(10).fill(null));
    expect(series[10]).toBeCloseTo(36, 6);
    expect(series[29]).toBeCloseTo(36, 6);
  });

  it('restarts the chart series after a volume reset', () => {
    const before = run(15, 1000, 36);
    const after = run(15, 1000, 72, 1_015_000, 0);
    const series = deliveredSeries([...before, ...after]);
    expect(series[14]).toBeCloseTo(36, 6);
    expect(series[15]).toBeNull();
    expect(series[29]).toBeCloseTo(72, 6);
  });
});

describe('delivered rate after the pump clock is set back (issue 13, defect a)', () => {
  it('starts a new window instead of ignoring every sample until the clock catches up', () => {
    // One sample stamped an hour ahead (a pump or hub clock corrected afterwards), then true time.
    let points: readonly VolumePoint[] = addVolumePoint([], { ts: 1_000_000 + 3_600_000, vi_mL: 10 });
    for (const p of run(30, 1000, 100, 1_000_000, 10)) points = addVolumePoint(points, p);
    expect(deliveredRate(points)).toBeCloseTo(100, 6);
  });

  it('still ignores a repeated or slightly older sample (a replayed outbox)', () => {
    let points: readonly VolumePoint[] = [];
    for (const p of run(20, 1000, 100)) points = addVolumePoint(points, p);
    expect(addVolumePoint(points, { ts: 1_010_000, vi_mL: 10.2 })).toBe(points);
  });
});
