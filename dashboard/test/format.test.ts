import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatClock,
  formatCountdown,
  formatDuration,
  formatLastSeen,
  formatPercent,
  formatPercentValue,
  formatPressure,
  formatRate,
  formatSignedPercent,
  formatVolume,
  formatVolumeOf,
  fraction,
} from '../src/format.js';

describe('formatting', () => {
  it('shows rates with decimals that matter at low home-infusion rates', () => {
    expect(formatRate(0.25)).toBe('0.25 mL/h');
    expect(formatRate(5)).toBe('5.0 mL/h');
    expect(formatRate(12.5)).toBe('12.5 mL/h');
    expect(formatRate(250)).toBe('250 mL/h');
  });

  it('shows volumes with units, and volume over VTBI', () => {
    expect(formatVolume(120)).toBe('120 mL');
    expect(formatVolumeOf(120, 250)).toBe('120 / 250 mL');
    expect(formatVolumeOf(3.5, undefined)).toBe('3.5 mL infused');
  });

  it('shows pressure and percentages', () => {
    expect(formatPressure(89.6)).toBe('90 mmHg');
    expect(formatPercent(0.423)).toBe('42 %');
    expect(formatPercentValue(82)).toBe('82 %');
  });

  it('clamps fractions and refuses a missing or zero denominator', () => {
    expect(fraction(120, 250)).toBeCloseTo(0.48);
    expect(fraction(400, 300)).toBe(1);
    expect(fraction(-1, 300)).toBe(0);
    expect(fraction(1, 0)).toBeNull();
    expect(fraction(undefined, 10)).toBeNull();
    expect(fraction(1, undefined)).toBeNull();
  });

  it('says how long ago, in the largest sensible unit', () => {
    expect(formatAgo(400)).toBe('just now');
    expect(formatAgo(-5_000)).toBe('just now');
    expect(formatAgo(4_200)).toBe('4 s ago');
    expect(formatAgo(59_999)).toBe('59 s ago');
    expect(formatAgo(3 * 60_000 + 10)).toBe('3 min ago');
    expect(formatAgo(2 * 3_600_000)).toBe('2 h ago');
    expect(formatAgo(5 * 86_400_000)).toBe('5 d ago');
  });

  it('says "last seen 4 s ago", or "never seen" without a sample', () => {
    expect(formatLastSeen(10_000, 14_000)).toBe('last seen 4 s ago');
    expect(formatLastSeen(null, 14_000)).toBe('never seen');
  });

  it('shows wall-clock time on a 24-hour clock', () => {
    expect(formatClock(Date.UTC(2026, 0, 1, 14, 3, 27), 'UTC')).toBe('14:03:27');
    expect(formatClock(Date.UTC(2026, 0, 1, 0, 5, 0), 'UTC')).toBe('00:05:00');
  });
});

describe('durations', () => {
  it('reads like a pump: minutes, hours with padded minutes, days', () => {
    expect(formatDuration(30_000)).toBe('under 1 min');
    expect(formatDuration(45 * 60_000 + 59_000)).toBe('45 min');
    expect(formatDuration(125 * 60_000)).toBe('2 h 05 min');
    expect(formatDuration(50 * 3_600_000)).toBe('2 d 2 h');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('under 1 min');
  });

  it('counts down in m:ss, never showing 0:00 while time is left', () => {
    expect(formatCountdown(120_000)).toBe('2:00');
    expect(formatCountdown(61_500)).toBe('1:02');
    expect(formatCountdown(200)).toBe('0:01');
    expect(formatCountdown(-5)).toBe('0:00');
  });

  it('signs a relative difference with a true minus', () => {
    expect(formatSignedPercent(0.041)).toBe('+4 %');
    expect(formatSignedPercent(-0.12)).toBe('−12 %');
    expect(formatSignedPercent(0.001)).toBe('0 %');
  });
});
