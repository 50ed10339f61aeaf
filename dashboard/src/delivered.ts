import type { PumpState, PumpView, TelemetrySample } from '@pumpwatch/protocol';

/**
 * Delivered rate = ΔVI / Δt between samples the console has seen (rate_deviation,
 * docs/clinical-reference.md#rule-catalog). The pump reports what it is programmed to do; only the volume it
 * has actually infused over time says what it delivers. Times are the pump's own clock (`ts`), so transport
 * delays do not distort the rate.
 */

export interface VolumePoint {
  ts: number;
  vi_mL: number;
  /** The pump's state with this sample: a change (infusing → stopped) starts a new window. */
  state?: PumpState;
}

/** Trailing window the delivered rate is measured over (pump clock). */
export const DELIVERY_WINDOW_MS = 60_000;
/** Below this span the ΔVI is mostly rounding and flow noise: the rate is shown as "measuring…". */
export const DELIVERY_MIN_SPAN_MS = 10_000;

/**
 * Adds one sample to a pump's trailing window. Samples that are not newer are ignored (a repeated pump
 * frame, a replayed outbox); a volume that goes DOWN means a new bag or a reset counter, and a changed
 * pump state a new regime (a pump that just stopped must not show the rate it had a minute ago), so the
 * window starts again.
 */
export function addVolumePoint(
  points: readonly VolumePoint[],
  sample: Pick<TelemetrySample, 'ts' | 'vi_mL'> & { state?: PumpState },
  windowMs: number = DELIVERY_WINDOW_MS,
): readonly VolumePoint[] {
  const last = points[points.length - 1];
  const point: VolumePoint = {
    ts: sample.ts,
    vi_mL: sample.vi_mL,
    ...(sample.state ? { state: sample.state } : {}),
  };
  // A pump clock set back by more than the window (a corrected clock, a swapped pump) would otherwise
  // leave the window frozen behind its newest point, "measuring…" until the clock caught up again.
  if (last && last.ts - sample.ts > windowMs) return [point];
  if (last && sample.ts <= last.ts) return points;
  if (last && (sample.vi_mL < last.vi_mL || isNewRegime(last.state, sample.state))) return [point];
  const cutoff = sample.ts - windowMs;
  // Keep one point at or before the cutoff, so the window spans its full width once enough has been seen.
  let start = 0;
  while (start + 1 < points.length && (points[start + 1] as VolumePoint).ts <= cutoff) start++;
  return [...points.slice(start), point];
}

function isNewRegime(before: PumpState | undefined, after: PumpState | undefined): boolean {
  return before !== undefined && after !== undefined && before !== after;
}

/** mL/h over the window, or null while it spans less than `DELIVERY_MIN_SPAN_MS`. */
export function deliveredRate(
  points: readonly VolumePoint[],
  minSpanMs: number = DELIVERY_MIN_SPAN_MS,
): number | null {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return null;
  const span = last.ts - first.ts;
  if (span < minSpanMs) return null;
  return ((last.vi_mL - first.vi_mL) / span) * 3_600_000;
}

/**
 * Every pump's window after a batch of pump views (a snapshot or a `pumps` frame). Windows of pumps that
 * are no longer listed are kept only when `keepOthers` (a `pumps` frame lists only the pumps that changed).
 */
export function trackDelivery(
  windows: ReadonlyMap<string, readonly VolumePoint[]>,
  pumps: Iterable<PumpView>,
  keepOthers: boolean,
): Map<string, readonly VolumePoint[]> {
  const next = new Map<string, readonly VolumePoint[]>();
  if (keepOthers) for (const [key, points] of windows) next.set(key, points);
  for (const pump of pumps) {
    const points = windows.get(pump.pumpId) ?? [];
    next.set(pump.pumpId, pump.latest ? addVolumePoint(points, pump.latest) : points);
  }
  return next;
}

/**
 * A delivered-rate series for a chart from raw samples (oldest first): at each sample, ΔVI / Δt over
 * the trailing window; null until the window spans `minSpanMs`, and again after a volume reset or a
 * change of pump state.
 */
export function deliveredSeries(
  samples: readonly (Pick<TelemetrySample, 'ts' | 'vi_mL'> & { state?: PumpState })[],
  windowMs: number = DELIVERY_WINDOW_MS,
  minSpanMs: number = DELIVERY_MIN_SPAN_MS,
): (number | null)[] {
  const out: (number | null)[] = [];
  let start = 0;
  let resetAt = 0;
  samples.forEach((s, i) => {
    const prev = samples[i - 1];
    if (prev && (s.vi_mL < prev.vi_mL || isNewRegime(prev.state, s.state))) resetAt = i;
    start = Math.max(start, resetAt);
    while (start < i && (samples[start + 1] as VolumePoint).ts <= s.ts - windowMs) start++;
    const first = samples[start] as VolumePoint;
    const span = s.ts - first.ts;
    out.push(span >= minSpanMs ? ((s.vi_mL - first.vi_mL) / span) * 3_600_000 : null);
  });
  return out;
}
