import type { Alert, RuleId } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../src/alerts/engine/describe.js';
import { acknowledge, defaultEscalationPolicy, reconcile } from '../src/alerts/lifecycle.js';

const ctx = {
  hubId: 'hub-1',
  pumpId: 'pump-1',
  eventTime: 1000,
  serverNow: 1000,
  idSuffix: 7,
  policy: defaultEscalationPolicy,
};
const at = (now: number) => ({ ...ctx, eventTime: now, serverNow: now });
const scope: RuleId[] = ['occlusion_developing', 'battery_low', 'occlusion_downstream'];

function condition(rule: RuleId, priority: Condition['priority']): Map<RuleId, Condition> {
  return new Map([[rule, { rule, priority, message: rule, details: {} }]]);
}

function openOf(alert: Alert): Map<RuleId, Alert> {
  return new Map([[alert.rule, alert]]);
}

function raised(rule: RuleId, priority: Condition['priority']): Alert {
  const [transition] = reconcile(new Map(), condition(rule, priority), scope, ctx);
  if (!transition) throw new Error('expected a raise');
  return transition.alert;
}

describe('alarm lifecycle', () => {
  it('raises one alert per (pump, rule) while the condition lasts', () => {
    const alert = raised('battery_low', 'medium');
    expect(alert).toMatchObject({ status: 'active', priority: 'medium', raisedAt: 1000, pumpId: 'pump-1' });
    expect(reconcile(openOf(alert), condition('battery_low', 'medium'), scope, ctx)).toEqual([]);
  });

  it('escalates priority under the same alert id', () => {
    const alert = raised('occlusion_developing', 'medium');
    const [transition] = reconcile(openOf(alert), condition('occlusion_developing', 'high'), scope, at(2000));
    expect(transition?.type).toBe('escalated');
    expect(transition?.alert).toMatchObject({ id: alert.id, priority: 'high', escalatedAt: 2000 });
  });

  it('latches a high alert whose condition ends before anyone acknowledged it', () => {
    const alert = raised('occlusion_downstream', 'high');
    const [transition] = reconcile(openOf(alert), new Map(), scope, ctx);
    expect(transition?.type).toBe('latched');
    expect(transition?.alert).toMatchObject({ status: 'active', latched: true, resolvedAt: null });
  });

  it('resolves a latched alert when it is acknowledged', () => {
    const alert = raised('occlusion_downstream', 'high');
    const latched = reconcile(openOf(alert), new Map(), scope, ctx)[0]?.alert as Alert;
    const transitions = acknowledge(latched, 'Nurse Joy', 5000);
    expect(transitions.map((t) => t.type)).toEqual(['acknowledged', 'resolved']);
    expect(transitions[1]?.alert).toMatchObject({
      status: 'resolved',
      acknowledgedBy: 'Nurse Joy',
      resolvedAt: 5000,
    });
  });

  it('resolves a medium alert at once when its condition ends', () => {
    const alert = raised('battery_low', 'medium');
    const [transition] = reconcile(openOf(alert), new Map(), scope, at(3000));
    expect(transition?.type).toBe('resolved');
    expect(transition?.alert).toMatchObject({ status: 'resolved', resolvedAt: 3000 });
  });

  it('acknowledging does not clear a live condition; it resolves when the condition ends', () => {
    const alert = raised('occlusion_downstream', 'high');
    const acknowledged = acknowledge(alert, 'Nurse Joy', 2000)[0]?.alert as Alert;
    expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledgedAt: 2000 });
    expect(reconcile(openOf(acknowledged), condition('occlusion_downstream', 'high'), scope, ctx)).toEqual(
      [],
    );
    const [end] = reconcile(openOf(acknowledged), new Map(), scope, at(9000));
    expect(end?.alert).toMatchObject({ status: 'resolved', resolvedAt: 9000 });
  });

  it('leaves rules outside its scope alone', () => {
    const alert = raised('battery_low', 'medium');
    expect(reconcile(openOf(alert), new Map(), ['pump_offline'], ctx)).toEqual([]);
  });
});
