/**
 * Pure formatting of numbers, units and times for the console. Units always follow the value with a
 * space ("12.5 mL/h", "82 %"), as on the pumps themselves.
 */

/** Decimals by magnitude: home infusions often run below 1 mL/h, where the second decimal matters. */
export function formatQuantity(value: number): string {
  const abs = Math.abs(value);
  if (abs < 1) return value.toFixed(2);
  if (abs < 100) return value.toFixed(1);
  return value.toFixed(0);
}

export function formatRate(mL_h: number): string {
  return `${formatQuantity(mL_h)} mL/h`;
}

export function formatVolume(mL: number): string {
  return `${formatQuantity(mL)} mL`;
}

/** "120 / 250 mL" when the VTBI is known, otherwise just the volume infused. */
export function formatVolumeOf(infused_mL: number, vtbi_mL: number | undefined): string {
  if (vtbi_mL === undefined) return `${formatVolume(infused_mL)} infused`;
  return `${formatQuantity(infused_mL)} / ${formatVolume(vtbi_mL)}`;
}

export function formatPressure(mmHg: number): string {
  return `${Math.round(mmHg)} mmHg`;
}

/** A fraction (0.42) as "42 %"; a percentage value is passed through `formatPercentValue`. */
export function formatPercent(fraction: number): string {
  return formatPercentValue(fraction * 100);
}

export function formatPercentValue(pct: number): string {
  return `${Math.round(pct)} %`;
}

/** A ratio clamped to [0, 1], or null when the denominator is missing or not positive. */
export function fraction(value: number | undefined, of: number | undefined): number | null {
  if (value === undefined || of === undefined || !(of > 0)) return null;
  return Math.min(1, Math.max(0, value / of));
}

/** "just now", "4 s ago", "3 min ago", "2 h ago", "5 d ago"; a negative age (clock skew) is "just now". */
export function formatAgo(ageMs: number): string {
  if (!Number.isFinite(ageMs) || ageMs < 1000) return 'just now';
  const s = Math.floor(ageMs / 1000);
  if (s < 60) return `${s} s ago`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} d ago`;
}

/** "last seen 4 s ago", or "never seen" when the server has no sample for the pump. */
export function formatLastSeen(lastSeen: number | null, now: number): string {
  if (lastSeen === null) return 'never seen';
  return `last seen ${formatAgo(now - lastSeen)}`;
}

const clockFormats = new Map<string, Intl.DateTimeFormat>();

/** 24-hour wall-clock time "14:03:27" in the browser's zone (or `timeZone`, for tests). */
export function formatClock(epochMs: number, timeZone?: string): string {
  const key = timeZone ?? '';
  let fmt = clockFormats.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      ...(timeZone ? { timeZone } : {}),
    });
    clockFormats.set(key, fmt);
  }
  return fmt.format(epochMs);
}

/**
 * A duration as a nurse reads it on a pump: "under 1 min", "45 min", "2 h 05 min", "3 d 4 h".
 * Rounded down, so time remaining is never overstated.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 60_000) return 'under 1 min';
  const totalMin = Math.floor(ms / 60_000);
  if (totalMin < 60) return `${totalMin} min`;
  const h = Math.floor(totalMin / 60);
  const min = totalMin % 60;
  if (h < 48) return `${h} h ${String(min).padStart(2, '0')} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** "1:45" for a countdown (minutes and seconds), rounded up so it never reads 0:00 while running. */
export function formatCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A signed relative difference as "+4 %" / "−12 %" (true minus sign). */
export function formatSignedPercent(fractionDiff: number): string {
  const pct = Math.round(fractionDiff * 100);
  if (pct === 0) return '0 %';
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct)} %`;
}
