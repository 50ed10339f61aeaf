import { describe, expect, it } from 'vitest';
import { PumpRegistry } from '../src/pumps/pump-registry.js';
import { sample } from './fixtures.js';
import { testWard } from './support/ward.js';

describe('pump ownership (issue #11)', () => {
  it('binds a pump to the hub that reported it first and refuses it to any other', () => {
    const registry = new PumpRegistry(30_000);
    const owned = registry.ensurePump('hub-a', 'PUMP-1');
    expect(owned?.hubId).toBe('hub-a');
    expect(registry.ensurePump('hub-b', 'PUMP-1')).toBeNull();
    expect(registry.ensurePump('hub-a', 'PUMP-1')).toBe(owned);
    expect(registry.pump('PUMP-1')?.hubId).toBe('hub-a');
  });

  it('moves a pump only when asked, with a fresh seq window for the new hub', () => {
    const registry = new PumpRegistry(30_000);
    registry.ensurePump('hub-a', 'PUMP-1')?.seqs.mark(7);
    expect(registry.movePump('PUMP-1', 'hub-b')).toBe('hub-a');
    expect(registry.movePump('PUMP-UNKNOWN', 'hub-b')).toBeUndefined();
    expect(registry.ensurePump('hub-a', 'PUMP-1')).toBeNull();
    expect(registry.ensurePump('hub-b', 'PUMP-1')?.seqs.mark(7)).toBe(true);
  });

  it('leaves the pump, its alerts and the counters alone when another hub reports it', () => {
    const { shell: ward } = testWard();
    expect(ward.onSample('hub-a', 'PUMP-1', sample({ seq: 1, alarms: ['occlusion'] }))).toBeUndefined();
    const before = ward.view('PUMP-1');
    expect(before?.alerts.map((alert) => alert.rule)).toContain('occlusion_downstream');

    expect(ward.onSample('hub-b', 'PUMP-1', sample({ seq: 2, alarms: [] }))).toBe('pump_not_owned');
    expect(ward.onPumpLink('hub-b', 'PUMP-1', { state: 'down', ts: 1 })).toBe('pump_not_owned');
    const after = ward.view('PUMP-1');
    expect(after?.hubId).toBe('hub-a');
    expect(after?.latest?.seq).toBe(1);
    expect(after?.link).toBe('unknown');
    expect(after?.alerts.map((alert) => alert.rule)).toEqual(before?.alerts.map((alert) => alert.rule));

    expect(ward.movePump('PUMP-1', 'hub-b')).toBe('hub-a');
    expect(ward.onSample('hub-b', 'PUMP-1', sample({ seq: 1 }))).toBeUndefined();
    expect(ward.view('PUMP-1')?.hubId).toBe('hub-b');
    expect(ward.onSample('hub-a', 'PUMP-1', sample({ seq: 3 }))).toBe('pump_not_owned');
  });
});
