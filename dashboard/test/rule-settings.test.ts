import type { PumpParamsResponse } from '@pumpwatch/protocol';
import { describe, expect, it, vi } from 'vitest';
import {
  fetchPumpParams,
  flattenSettings,
  formatSettingValue,
  pumpParamsUrl,
  ruleSettingsView,
} from '../src/rule-settings.js';

const NOW = Date.UTC(2025, 10, 22, 14, 10, 0);
const EFFECTIVE = { battery: { lowPct: 30, criticalPct: 5, hysteresisPct: 3 } };

function params(
  overrides: PumpParamsResponse['overrides'],
  updatedAt: number | null = null,
): PumpParamsResponse {
  return {
    pumpId: 'PUMP-1',
    overrides,
    updatedAt,
    updatedBy: overrides === null ? null : 'grace',
    effective: EFFECTIVE,
  };
}

describe('a pump’s own rule settings', () => {
  it('lists every leaf of the override tree with its dotted path, in the tree’s order', () => {
    expect(
      flattenSettings({
        battery: { lowPct: 30 },
        nearEnd: { remainingMs: 2_700_000, clearMarginMs: 60_000 },
        pumpAlarm: { priorities: { door_open: 'high' } },
      }),
    ).toEqual([
      { path: 'battery.lowPct', value: 30 },
      { path: 'nearEnd.remainingMs', value: 2_700_000 },
      { path: 'nearEnd.clearMarginMs', value: 60_000 },
      { path: 'pumpAlarm.priorities.door_open', value: 'high' },
    ]);
    expect(flattenSettings({ battery: {} })).toEqual([]);
  });

  it('writes values exactly, milliseconds as a duration and percentages with their sign', () => {
    expect(formatSettingValue('battery.lowPct', 30)).toBe('30 %');
    expect(formatSettingValue('battery.lowPct', 12.5)).toBe('12.5 %');
    expect(formatSettingValue('nearEnd.remainingMs', 2_700_000)).toBe('45 min');
    expect(formatSettingValue('liveness.pumpOfflineAfterMs', 90_000)).toBe('90 s');
    expect(formatSettingValue('unexpectedStop.highAfterMs', 7_200_000)).toBe('2 h');
    expect(formatSettingValue('clockSkew.maxSkewMs', 1_500)).toBe('1.5 s');
    expect(formatSettingValue('clockSkew.maxSkewMs', 0)).toBe('0 s');
    expect(formatSettingValue('occlusion.developingFraction', 0.4)).toBe('0.4');
    expect(formatSettingValue('occlusion.defaultLimit_mmHg', 250)).toBe('250');
    expect(formatSettingValue('pumpAlarm.priorities.door_open', 'high')).toBe('high');
    expect(formatSettingValue('pumpAlarm.priorities', ['high'])).toBe('["high"]');
  });

  it('says who set them and when, on the server clock', () => {
    const setAt = NOW - 3 * 60_000;
    expect(ruleSettingsView(params({ battery: { lowPct: 30 } }, setAt), NOW, 'UTC')).toEqual({
      lines: [{ path: 'battery.lowPct', value: '30 %' }],
      setBy: 'Set by grace at 14:07:00 (3 min ago)',
    });
    // Older than a day, a clock time alone would mislead.
    const old = ruleSettingsView(params({ battery: { lowPct: 30 } }, NOW - 3 * 86_400_000), NOW, 'UTC');
    expect(old?.setBy).toBe('Set by grace 3 d ago');
    const unknown = ruleSettingsView({ ...params({ battery: { lowPct: 30 } }), updatedBy: null }, NOW);
    expect(unknown?.setBy).toBe('Set by an unknown user');
  });

  it('shows nothing for a pump on the usual settings, or settings that change nothing', () => {
    expect(ruleSettingsView(params(null), NOW)).toBeNull();
    expect(ruleSettingsView(params({}), NOW)).toBeNull();
    expect(ruleSettingsView(params({ battery: {} }), NOW)).toBeNull();
  });

  it('reads and parses GET /api/pumps/{id}/params', async () => {
    const body = params({ battery: { lowPct: 30 } }, NOW);
    const getJson = vi.fn(async () => ({ ok: true, json: body }));
    expect(await fetchPumpParams('PUMP/1', getJson)).toEqual(body);
    expect(getJson).toHaveBeenCalledWith('/api/pumps/PUMP%2F1/params');
    expect(pumpParamsUrl('PUMP-1')).toBe('/api/pumps/PUMP-1/params');
  });

  it('gives null, never throws, when the settings cannot be known', async () => {
    const notFound = { ok: false, json: { error: { code: 'NOT_FOUND', message: 'no such route' } } };
    expect(await fetchPumpParams('PUMP-1', async () => notFound)).toBeNull();
    expect(
      await fetchPumpParams('PUMP-1', async () => {
        throw new TypeError('Failed to fetch');
      }),
    ).toBeNull();
    const unreadable = { ok: true, json: { pumpId: 'PUMP-1', overrides: 'battery.lowPct=30' } };
    expect(await fetchPumpParams('PUMP-1', async () => unreadable)).toBeNull();
  });
});
