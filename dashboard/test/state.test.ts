import { describe, expect, it } from 'vitest';
import { parseServerFrame } from '../src/connection.js';
import {
  applyFrame,
  emptyState,
  MAX_RESOLVED_KEPT,
  openAlerts,
  openAlertsByPump,
  serverNow,
} from '../src/state.js';
import { alert, pump } from './fixtures.js';

describe('state reduction from server frames', () => {
  it('starts without a snapshot, so an empty grid reads as unknown rather than calm', () => {
    expect(emptyState().hasSnapshot).toBe(false);
  });

  it('loads pumps and alerts from a snapshot', () => {
    const s = applyFrame(
      emptyState(),
      { type: 'snapshot', pumps: [pump()], alerts: [alert()], serverTime: 5_000 },
      4_000,
    );
    expect(s.hasSnapshot).toBe(true);
    expect([...s.pumps.keys()]).toEqual(['pump-1']);
    expect(s.alerts.get('a1')?.status).toBe('active');
    expect(s.clockOffsetMs).toBe(1_000);
  });

  it('replaces its whole state with a snapshot after a reconnect', () => {
    let s = applyFrame(
      emptyState(),
      { type: 'snapshot', pumps: [pump({ pumpId: 'old' })], alerts: [alert({ id: 'gone' })] },
      0,
    );
    s = applyFrame(
      s,
      {
        type: 'snapshot',
        pumps: [pump({ pumpId: 'new' })],
        alerts: [alert({ id: 'raised-while-away', priority: 'medium' })],
      },
      10,
    );
    expect([...s.pumps.keys()]).toEqual(['new']);
    expect([...s.alerts.keys()]).toEqual(['raised-while-away']);
  });

  it('takes alerts listed only under a pump in a snapshot, the top-level list winning', () => {
    const s = applyFrame(
      emptyState(),
      {
        type: 'snapshot',
        pumps: [pump({ alerts: [alert({ id: 'a1', status: 'active' }), alert({ id: 'a2' })] })],
        alerts: [alert({ id: 'a1', status: 'acknowledged', acknowledgedBy: 'Ana', acknowledgedAt: 2 })],
      },
      0,
    );
    expect(s.alerts.get('a1')?.status).toBe('acknowledged');
    expect(s.alerts.has('a2')).toBe(true);
  });

  it('adds a new alert and updates a known one from alert frames', () => {
    let s = applyFrame(emptyState(), { type: 'snapshot', pumps: [], alerts: [] }, 0);
    s = applyFrame(s, { type: 'alert', alert: alert() }, 1);
    expect(openAlerts(s)).toHaveLength(1);
    s = applyFrame(
      s,
      { type: 'alert', alert: alert({ status: 'acknowledged', acknowledgedBy: 'Ana', acknowledgedAt: 9 }) },
      2,
    );
    expect(s.alerts.get('a1')?.acknowledgedBy).toBe('Ana');
    expect(openAlerts(s)).toHaveLength(1);
  });

  it('drops a resolved alert from the open ones but remembers it', () => {
    let s = applyFrame(emptyState(), { type: 'snapshot', pumps: [], alerts: [alert()] }, 0);
    s = applyFrame(s, { type: 'alert', alert: alert({ status: 'resolved', resolvedAt: 5 }) }, 1);
    expect(openAlerts(s)).toEqual([]);
    expect(s.alerts.get('a1')?.status).toBe('resolved');
  });

  it('does not revive a resolved alert from a pump frame that still lists it', () => {
    let s = applyFrame(emptyState(), { type: 'snapshot', pumps: [pump()], alerts: [alert()] }, 0);
    s = applyFrame(s, { type: 'alert', alert: alert({ status: 'resolved', resolvedAt: 5 }) }, 1);
    s = applyFrame(s, { type: 'pumps', pumps: [pump({ alerts: [alert()] })] }, 2);
    expect(openAlerts(s)).toEqual([]);
  });

  it('keeps a bounded number of resolved alerts', () => {
    let s = applyFrame(emptyState(), { type: 'snapshot', pumps: [], alerts: [] }, 0);
    for (let i = 0; i < MAX_RESOLVED_KEPT + 5; i++) {
      s = applyFrame(
        s,
        { type: 'alert', alert: alert({ id: `r${i}`, status: 'resolved', resolvedAt: i }) },
        i,
      );
    }
    expect(s.alerts.size).toBe(MAX_RESOLVED_KEPT);
    expect(s.alerts.has('r0')).toBe(false);
    expect(s.alerts.has(`r${MAX_RESOLVED_KEPT + 4}`)).toBe(true);
  });

  it('keeps pumps a later pumps frame does not list, and learns alerts it had not seen', () => {
    let s = applyFrame(emptyState(), { type: 'snapshot', pumps: [pump()], alerts: [] }, 0);
    s = applyFrame(s, { type: 'pumps', pumps: [pump({ online: false, alerts: [alert({ id: 'x' })] })] }, 1);
    s = applyFrame(s, { type: 'pumps', pumps: [pump({ pumpId: 'pump-2' })] }, 2);
    expect(s.pumps.get('pump-1')?.online).toBe(false);
    expect(s.pumps.size).toBe(2);
    expect(s.alerts.has('x')).toBe(true);
  });

  it('upserts every pump of a pumps frame at once, learning their alerts, without touching the old state', () => {
    const s0 = applyFrame(emptyState(), { type: 'snapshot', pumps: [pump()], alerts: [] }, 0);
    const s1 = applyFrame(
      s0,
      {
        type: 'pumps',
        pumps: [
          pump({ online: false }),
          pump({ pumpId: 'pump-2', alerts: [alert({ id: 'y', pumpId: 'pump-2' })] }),
          pump({ pumpId: 'pump-3' }),
        ],
      },
      1,
    );
    expect(s1.pumps.size).toBe(3);
    expect(s1.pumps.get('pump-1')?.online).toBe(false);
    expect(s1.alerts.has('y')).toBe(true);
    expect(s0.pumps.size).toBe(1);
    expect(s0.alerts.size).toBe(0);
  });

  it('keys pumps by pump id alone: a pump reported by another hub has moved there', () => {
    // docs/protocol.md, "Pump identity": a pump id is unique across the deployment, one hub at a time.
    let s = applyFrame(emptyState(), { type: 'snapshot', pumps: [pump({ hubId: 'h1' })], alerts: [] }, 0);
    s = applyFrame(s, { type: 'pumps', pumps: [pump({ hubId: 'h2' })] }, 1);
    expect(s.pumps.size).toBe(1);
    expect(s.pumps.get('pump-1')?.hubId).toBe('h2');
  });

  it('groups open alerts by pump', () => {
    const s = applyFrame(
      emptyState(),
      {
        type: 'snapshot',
        pumps: [],
        alerts: [
          alert({ id: 'a' }),
          alert({ id: 'b', pumpId: 'pump-2' }),
          alert({ id: 'c' }),
          alert({ id: 'd', status: 'resolved', resolvedAt: 3 }),
        ],
      },
      0,
    );
    const byPump = openAlertsByPump(s);
    expect(byPump.get('pump-1')?.map((a) => a.id)).toEqual(['a', 'c']);
    expect(byPump.get('pump-2')?.map((a) => a.id)).toEqual(['b']);
  });

  it('estimates server time from heartbeats', () => {
    const s = applyFrame(emptyState(), { type: 'heartbeat', serverTime: 10_000 }, 7_000);
    expect(serverNow(s, 8_000)).toBe(11_000);
  });

  it('never applies an invalid frame: it is rejected before it reaches the store', () => {
    const bad = parseServerFrame(
      JSON.stringify({ type: 'alert', alert: { ...alert(), priority: 'urgent' } }),
    );
    expect(bad.ok).toBe(false);
    const before = emptyState();
    const after = bad.ok ? applyFrame(before, bad.frame, 0) : before;
    expect(after).toBe(before);
  });

  it('does not mutate the state it was given', () => {
    const s0 = applyFrame(emptyState(), { type: 'snapshot', pumps: [pump()], alerts: [alert()] }, 0);
    const alertsBefore = s0.alerts;
    applyFrame(s0, { type: 'alert', alert: alert({ id: 'new' }) }, 1);
    applyFrame(s0, { type: 'pumps', pumps: [pump({ pumpId: 'p9' })] }, 1);
    expect(s0.alerts).toBe(alertsBefore);
    expect(s0.alerts.size).toBe(1);
    expect(s0.pumps.size).toBe(1);
  });
});
