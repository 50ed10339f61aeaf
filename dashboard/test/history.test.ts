import { describe, expect, it } from 'vitest';
import {
  alertMarkers,
  appendSample,
  bucketize,
  chartData,
  findRange,
  HISTORY_RANGES,
  historyUrl,
  MAX_RAW_SAMPLES,
  parseHistory,
  trimBefore,
} from '../src/history.js';
import { alert, sample } from './fixtures.js';

const MIN = 60_000;

function samples(n: number, everyMs: number, t0 = 6_000_000) {
  return Array.from({ length: n }, (_, i) =>
    sample({ seq: i, ts: t0 + i * everyMs, vi_mL: i * 0.1, pressure_mmHg: 50 + (i % 3) }),
  );
}

describe('history ranges', () => {
  it('offer 15 min to 7 days, raw for short ranges and buckets for long ones', () => {
    expect(HISTORY_RANGES.map((r) => r.label)).toEqual(['15 min', '1 h', '6 h', '24 h', '7 days']);
    expect(findRange('15m').stepMs).toBeNull();
    expect(findRange('7d').stepMs).toBe(15 * MIN);
    // At most ~700 points per chart, so a week draws as fast as 15 minutes.
    for (const r of HISTORY_RANGES) if (r.stepMs) expect(r.ms / r.stepMs).toBeLessThanOrEqual(720);
    expect(findRange('nonsense').id).toBe('15m');
  });

  it('asks from the start of the range, with step for long ranges and no `to`', () => {
    expect(historyUrl('PUMP 1', findRange('15m'), 1_000_000_000)).toBe(
      `/api/pumps/PUMP%201/samples?from=${1_000_000_000 - 15 * MIN}&limit=${MAX_RAW_SAMPLES}`,
    );
    expect(historyUrl('p', findRange('6h'), 100_000_000)).toBe(
      `/api/pumps/p/samples?from=${100_000_000 - 360 * MIN}&step=60000`,
    );
  });
});

describe('history responses', () => {
  it('parses the server response with the protocol schema', () => {
    const ok = parseHistory({ pumpId: 'p', from: 1, to: null, count: 1, samples: [sample()] });
    expect(ok.ok).toBe(true);
    const bad = parseHistory({ pumpId: 'p', from: 1, to: null, count: 1, samples: [{ v: 2 }] });
    expect(bad).toMatchObject({ ok: false });
  });

  it('charts raw samples with programmed and delivered rate', () => {
    const raw = samples(30, 1000);
    const d = chartData({ pumpId: 'p', from: 0, to: null, count: 30, samples: raw }, null, null);
    expect(d.source).toBe('samples');
    expect(d.x).toHaveLength(30);
    expect(d.programmed[0]).toBe(12.5);
    expect(d.delivered[29]).toBeCloseTo(360, 6);
    expect(d.pressureMax.every((v) => v === null)).toBe(true);
    expect(d.truncated).toBe(false);
  });

  it('uses server buckets when the server downsampled', () => {
    const stats = (v: number) => ({ min: v, max: v, mean: v });
    const buckets = [
      { t: 0, n: 60, rate_mL_h: stats(10), vi_mL: stats(1), pressure_mmHg: stats(40), battery_pct: null },
      { t: MIN, n: 60, rate_mL_h: stats(10), vi_mL: stats(1.2), pressure_mmHg: stats(42), battery_pct: null },
    ];
    const latest = sample({ vtbi_mL: 250, occlusionLimit_mmHg: 300 });
    const d = chartData(
      { pumpId: 'p', from: 0, to: null, step: MIN, count: 2, samples: [], buckets },
      MIN,
      latest,
    );
    expect(d.source).toBe('buckets');
    expect(d.x).toEqual([0, MIN]);
    expect(d.delivered[0]).toBeNull();
    expect(d.delivered[1]).toBeCloseTo(12, 6);
    expect(d.limit).toEqual([300, 300]);
    expect(d.vtbi).toEqual([250, 250]);
  });

  it('buckets raw samples itself when a step request comes back without buckets', () => {
    const raw = samples(180, 1000, 0);
    const d = chartData({ pumpId: 'p', from: 0, to: null, count: 180, samples: raw }, MIN, null);
    expect(d.source).toBe('browser-buckets');
    expect(d.x).toEqual([0, MIN, 2 * MIN]);
    expect(d.pressure[0]).toBeCloseTo(51, 6);
    expect(d.pressureMax[0]).toBe(52);
  });

  it('says when the server capped the raw samples', () => {
    const raw = samples(MAX_RAW_SAMPLES, 10);
    expect(
      chartData({ pumpId: 'p', from: 0, to: null, count: raw.length, samples: raw }, null, null).truncated,
    ).toBe(true);
  });

  it('buckets like the server: start on a multiple of the step, min / max / mean of what was reported', () => {
    const b = bucketize(
      [
        sample({ ts: 65_000, pressure_mmHg: 10 }),
        sample({ ts: 61_000, pressure_mmHg: 30 }),
        sample({ ts: 70_000, pressure_mmHg: undefined }),
        sample({ ts: 125_000, pressure_mmHg: 5 }),
      ],
      MIN,
    );
    expect(b.map((x) => [x.t, x.n])).toEqual([
      [MIN, 3],
      [2 * MIN, 1],
    ]);
    expect(b[0]?.pressure_mmHg).toEqual({ min: 10, max: 30, mean: 20 });
  });
});

describe('live chart updates', () => {
  it('appends newer live samples to raw data and ignores older ones', () => {
    const d = chartData(
      { pumpId: 'p', from: 0, to: null, count: 20, samples: samples(20, 1000) },
      null,
      null,
    );
    const next = appendSample(d, sample({ ts: 6_020_000, vi_mL: 2.0 }));
    expect(next.x).toHaveLength(21);
    expect(next.delivered[20]).toBeCloseTo(360, 6);
    expect(appendSample(next, sample({ ts: 6_000_500 }))).toBe(next);
  });

  it('drops points that slid out of the range', () => {
    const d = chartData(
      { pumpId: 'p', from: 0, to: null, count: 20, samples: samples(20, 1000) },
      null,
      null,
    );
    const trimmed = trimBefore(d, 6_010_000);
    expect(trimmed.x[0]).toBe(6_010_000);
    expect(trimmed.vi).toHaveLength(10);
  });
});

describe('alert markers', () => {
  it('merges alert history and live alerts of this pump in the range, oldest first, once each, whichever hub raised them', () => {
    const history = [
      alert({ id: 'old', raisedAt: 100, status: 'resolved', resolvedAt: 150 }),
      alert({ id: 'a', raisedAt: 500 }),
      alert({ id: 'other', pumpId: 'pump-2', raisedAt: 400 }),
      // Raised before the pump moved to hub-2: still this pump's (docs/protocol.md, "Pump identity").
      alert({ id: 'before-move', hubId: 'hub-2', raisedAt: 400 }),
    ];
    const live = [
      alert({ id: 'a', raisedAt: 500, status: 'acknowledged' }),
      alert({ id: 'b', raisedAt: 300 }),
    ];
    const markers = alertMarkers('pump-1', [history, live], 200, 1000);
    expect(markers.map((m) => [m.id, m.status])).toEqual([
      ['b', 'active'],
      ['before-move', 'active'],
      ['a', 'acknowledged'],
    ]);
  });
});
