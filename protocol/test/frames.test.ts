import { describe, expect, it } from 'vitest';
import { ackBodySchema, alertSchema, serverFrameSchema } from '../src/index.js';

const alert = {
  id: 'a1',
  hubId: 'hub-1',
  pumpId: 'pump-1',
  rule: 'occlusion_downstream',
  priority: 'high',
  status: 'active',
  raisedAt: 1,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  message: 'Downstream occlusion',
  details: { pressure_mmHg: 310 },
  latched: false,
  snoozedUntil: null,
  escalationLevel: 0,
  escalatedAt: null,
};

describe('alert and WebSocket frames', () => {
  it('parses an alert frame', () => {
    expect(serverFrameSchema.parse({ type: 'alert', alert })).toEqual({ type: 'alert', alert });
  });

  it('rejects an alert with an unknown rule or priority', () => {
    expect(alertSchema.safeParse({ ...alert, rule: 'made_up' }).success).toBe(false);
    expect(alertSchema.safeParse({ ...alert, priority: 'urgent' }).success).toBe(false);
  });

  it('parses a pumps frame, and refuses one whose pumps are not a list', () => {
    expect(serverFrameSchema.parse({ type: 'pumps', pumps: [] })).toEqual({ type: 'pumps', pumps: [] });
    expect(serverFrameSchema.safeParse({ type: 'pumps', pumps: {} }).success).toBe(false);
  });

  it('rejects a frame of unknown type', () => {
    expect(serverFrameSchema.safeParse({ type: 'gossip' }).success).toBe(false);
  });

  it('rejects a single pump frame: changed pumps always come in a pumps frame', () => {
    const pump = { pumpId: 'pump-1', hubId: 'hub-1', latest: null, online: true, lastSeen: null };
    const view = { ...pump, hubOnline: true, alerts: [alert] };
    expect(serverFrameSchema.safeParse({ type: 'pumps', pumps: [view] }).success).toBe(true);
    expect(serverFrameSchema.safeParse({ type: 'pump', pump: view }).success).toBe(false);
  });

  it('parses a snapshot', () => {
    const frame = serverFrameSchema.parse({ type: 'snapshot', pumps: [], alerts: [alert] });
    expect(frame.type).toBe('snapshot');
  });

  it('takes an optional, non-empty name to acknowledge (the logged-in user wins)', () => {
    expect(ackBodySchema.safeParse({ by: 'Nurse Joy' }).success).toBe(true);
    expect(ackBodySchema.safeParse({ by: '   ' }).success).toBe(false);
    expect(ackBodySchema.safeParse({}).success).toBe(true);
  });
});
