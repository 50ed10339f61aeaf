import { describe, expect, it } from 'vitest';
import { sortAlerts, sortPumps } from '../src/order.js';
import { alert, pump } from './fixtures.js';

describe('alert order', () => {
  it('puts high before medium before low', () => {
    const sorted = sortAlerts([
      alert({ id: 'l', priority: 'low', raisedAt: 1 }),
      alert({ id: 'h', priority: 'high', raisedAt: 3 }),
      alert({ id: 'm', priority: 'medium', raisedAt: 2 }),
    ]);
    expect(sorted.map((a) => a.id)).toEqual(['h', 'm', 'l']);
  });

  it('within a priority, puts the longest-waiting alert first', () => {
    const sorted = sortAlerts([alert({ id: 'new', raisedAt: 20 }), alert({ id: 'old', raisedAt: 10 })]);
    expect(sorted.map((a) => a.id)).toEqual(['old', 'new']);
  });

  it('does not move a row when it is acknowledged', () => {
    const before = sortAlerts([alert({ id: 'x', raisedAt: 1 }), alert({ id: 'y', raisedAt: 2 })]);
    const after = sortAlerts([
      alert({ id: 'x', raisedAt: 1, status: 'acknowledged' }),
      alert({ id: 'y', raisedAt: 2 }),
    ]);
    expect(after.map((a) => a.id)).toEqual(before.map((a) => a.id));
  });

  it('breaks exact ties by id so the order is stable', () => {
    const sorted = sortAlerts([alert({ id: 'b' }), alert({ id: 'a' })]);
    expect(sorted.map((a) => a.id)).toEqual(['a', 'b']);
  });
});

describe('pump order', () => {
  const alertsOf = (alerts: ReturnType<typeof alert>[]) => (p: { pumpId: string }) =>
    alerts.filter((a) => a.pumpId === p.pumpId);

  it('puts the pump with the worst alert first', () => {
    const pumps = [pump({ pumpId: 'calm' }), pump({ pumpId: 'med' }), pump({ pumpId: 'high' })];
    const alerts = [
      alert({ id: '1', pumpId: 'med', priority: 'medium' }),
      alert({ id: '2', pumpId: 'high', priority: 'high' }),
      alert({ id: '3', pumpId: 'med', priority: 'low' }),
    ];
    expect(sortPumps(pumps, alertsOf(alerts)).map((p) => p.pumpId)).toEqual(['high', 'med', 'calm']);
  });

  it('at equal priority, puts an unacknowledged alert before an acknowledged one', () => {
    const pumps = [pump({ pumpId: 'acked' }), pump({ pumpId: 'waiting' })];
    const alerts = [
      alert({ id: '1', pumpId: 'acked', status: 'acknowledged', raisedAt: 1 }),
      alert({ id: '2', pumpId: 'waiting', raisedAt: 50 }),
    ];
    expect(sortPumps(pumps, alertsOf(alerts)).map((p) => p.pumpId)).toEqual(['waiting', 'acked']);
  });

  it('ignores resolved alerts', () => {
    const pumps = [pump({ pumpId: 'a' }), pump({ pumpId: 'b' })];
    const alerts = [alert({ id: '1', pumpId: 'b', status: 'resolved', resolvedAt: 2 })];
    expect(sortPumps(pumps, alertsOf(alerts)).map((p) => p.pumpId)).toEqual(['a', 'b']);
  });

  it('among pumps without alerts, puts offline ones first, then by natural id order', () => {
    const pumps = [
      pump({ pumpId: 'pump-10' }),
      pump({ pumpId: 'pump-2' }),
      pump({ pumpId: 'pump-3', online: false }),
    ];
    expect(sortPumps(pumps, () => []).map((p) => p.pumpId)).toEqual(['pump-3', 'pump-2', 'pump-10']);
  });
});
