import type { Priority } from '@pumpwatch/protocol';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatClock } from '../format.js';
import type { AlertMarker, ChartData } from '../history.js';
import { TEST_IDS } from '../testids.js';
import { h, setAttr, setText } from './dom.js';

/** Three time-series charts of one pump (uPlot), sharing one cursor, with alert markers. */

export type ChartKind = 'rate' | 'volume' | 'pressure';

interface SeriesSpec {
  label: string;
  stroke: string;
  dash?: number[];
  width?: number;
  pick: (d: ChartData) => (number | null)[];
  /** Drawn as a step line (programmed values change in steps). */
  stepped?: boolean;
}

interface ChartSpec {
  title: string;
  unit: string;
  series: SeriesSpec[];
}

// Colours on the dark surface (#151b23); each also differs in dash or width, never colour alone.
const SPECS: Record<ChartKind, ChartSpec> = {
  rate: {
    title: 'Rate: programmed and delivered',
    unit: 'mL/h',
    series: [
      { label: 'Programmed', stroke: '#8ab4ff', dash: [6, 4], pick: (d) => d.programmed, stepped: true },
      { label: 'Delivered (ΔVI/Δt)', stroke: '#5fd38a', width: 2, pick: (d) => d.delivered },
    ],
  },
  volume: {
    title: 'Volume infused and VTBI',
    unit: 'mL',
    series: [
      { label: 'Infused', stroke: '#8ab4ff', width: 2, pick: (d) => d.vi },
      { label: 'VTBI', stroke: '#aab6c3', dash: [4, 4], pick: (d) => d.vtbi, stepped: true },
    ],
  },
  pressure: {
    title: 'Pressure and occlusion limit',
    unit: 'mmHg',
    series: [
      { label: 'Pressure', stroke: '#ffb45c', width: 2, pick: (d) => d.pressure },
      { label: 'Peak (6 h and longer)', stroke: '#b97e3b', dash: [2, 3], pick: (d) => d.pressureMax },
      { label: 'Occlusion limit', stroke: '#ff5a52', dash: [8, 4], pick: (d) => d.limit, stepped: true },
    ],
  },
};

const MARKER_COLOURS: Record<Priority, string> = { high: '#ff5a52', medium: '#ffd60a', low: '#2bc6db' };
const AXIS = { stroke: '#aab6c3', grid: { stroke: '#263240', width: 1 }, ticks: { stroke: '#344252' } };
const HEIGHT = 170;

/** The marker's shape (triangle / diamond / circle) as on the priority badges: never colour alone. */
function drawShape(ctx: CanvasRenderingContext2D, priority: Priority, x: number, y: number, r: number) {
  ctx.beginPath();
  if (priority === 'high') {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.lineTo(x - r, y + r);
  } else if (priority === 'medium') {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r);
    ctx.lineTo(x - r, y);
  } else {
    ctx.arc(x, y, r, 0, Math.PI * 2);
  }
  ctx.closePath();
  ctx.fill();
}

export interface PumpCharts {
  element: HTMLElement;
  update(data: ChartData, markers: readonly AlertMarker[], range: { from: number; to: number }): void;
  destroy(): void;
}

export function createPumpCharts(): PumpCharts {
  const element = h('div', { class: 'charts' });
  let markers: readonly AlertMarker[] = [];
  const cursorSync = uPlot.sync(`pump-${Math.random().toString(36).slice(2)}`);
  const charts: Array<{ kind: ChartKind; plot: uPlot; box: HTMLElement; empty: HTMLElement }> = [];

  const markerHook = (u: uPlot) => {
    const { ctx } = u;
    const { left, top, width, height } = u.bbox;
    const px = devicePixelRatio || 1;
    ctx.save();
    for (const m of markers) {
      const x = Math.round(u.valToPos(m.at, 'x', true));
      if (x < left || x > left + width) continue;
      ctx.strokeStyle = MARKER_COLOURS[m.priority];
      ctx.fillStyle = MARKER_COLOURS[m.priority];
      ctx.lineWidth = 2 * px;
      ctx.setLineDash(m.status === 'active' ? [] : [4 * px, 3 * px]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      drawShape(ctx, m.priority, x, top + 6 * px, 5 * px);
    }
    ctx.restore();
  };

  for (const kind of ['rate', 'volume', 'pressure'] as const) {
    const spec = SPECS[kind];
    const headingId = `chart-${kind}-${Math.random().toString(36).slice(2, 8)}`;
    const box = h('div', {
      class: 'chart-box',
      role: 'img',
      'aria-labelledby': headingId,
      'data-testid': TEST_IDS.chart,
      'data-chart': kind,
      'data-points': '0',
      'data-markers': '0',
    });
    const empty = h('p', { class: 'chart-empty' }, 'No samples in this range.');
    const figure = h(
      'figure',
      { class: 'chart' },
      h('figcaption', { id: headingId }, `${spec.title} (${spec.unit})`),
      box,
      empty,
    );
    element.append(figure);
    const plot = new uPlot(
      {
        width: 600,
        height: HEIGHT,
        ms: 1,
        cursor: { sync: { key: cursorSync.key } },
        scales: { x: { time: true } },
        legend: { live: true },
        axes: [
          {
            ...AXIS,
            values: (u, ticks) => {
              const span = (u.scales.x?.max ?? 0) - (u.scales.x?.min ?? 0);
              return ticks.map((t) => tickLabel(t, span));
            },
          },
          { ...AXIS, size: 56, label: spec.unit, labelSize: 18 },
        ],
        series: [
          { label: 'Time', value: (_u, v) => (v === null ? '—' : formatClock(v)) },
          ...spec.series.map((s) => ({
            label: s.label,
            stroke: s.stroke,
            width: s.width ?? 1.5,
            ...(s.dash ? { dash: s.dash } : {}),
            ...(s.stepped ? { paths: uPlot.paths.stepped?.({ align: 1 }) } : {}),
            points: { show: false },
            spanGaps: false,
            value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${round(v)} ${spec.unit}`),
          })),
        ],
        hooks: { draw: [markerHook] },
      },
      [[], ...spec.series.map(() => [])],
      box,
    );
    charts.push({ kind, plot, box, empty });
  }

  const resize = () => {
    for (const c of charts) {
      const width = Math.max(240, Math.floor(c.box.clientWidth));
      if (width !== c.plot.width) c.plot.setSize({ width, height: HEIGHT });
    }
  };
  const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(resize) : null;
  observer?.observe(element);

  return {
    element,
    update(data, next, range) {
      markers = next;
      resize();
      for (const c of charts) {
        const spec = SPECS[c.kind];
        const columns = spec.series.map((s) => s.pick(data));
        c.plot.setData([data.x, ...columns] as uPlot.AlignedData, false);
        c.plot.setScale('x', { min: range.from, max: range.to });
        const points = columns.reduce((n, col) => n + col.filter((v) => v !== null).length, 0);
        setAttr(c.box, 'data-points', String(points));
        setAttr(c.box, 'data-samples', String(data.x.length));
        setAttr(c.box, 'data-markers', String(markers.filter((m) => m.at >= range.from).length));
        setAttr(c.box, 'data-source', data.source);
        c.empty.hidden = data.x.length > 0;
        setText(c.empty, 'No samples in this range.');
      }
    },
    destroy() {
      observer?.disconnect();
      for (const c of charts) c.plot.destroy();
    },
  };
}

function round(v: number): string {
  const abs = Math.abs(v);
  return abs < 1 ? v.toFixed(2) : abs < 100 ? v.toFixed(1) : v.toFixed(0);
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' });

/** "14:03" for ticks, and "22 Nov 14:00" once the range spans days. */
function tickLabel(ms: number, spanMs: number): string {
  const time = formatClock(ms).slice(0, 5);
  return spanMs > 36 * 3_600_000 ? `${dayFormat.format(ms)} ${time}` : time;
}
