import type { Alert, RuleId } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import type { Condition } from '../src/alerts/engine/describe.js';
import {
  type AlertTransition,
  acknowledge,
  defaultEscalationPolicy,
  escalate,
  reconcile,
  snooze,
} from '../src/alerts/lifecycle.js';

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

describe('snooze', () => {
  it('pauses audio for the asked time but never beyond 15 min', () => {
    const alert = raised('occlusion_downstream', 'high');
    expect(snooze(alert, 'Joy', 120_000, 5000)[0]?.alert.snoozedUntil).toBe(125_000);
    expect(snooze(alert, 'Joy', 10 * 3_600_000, 5000)[0]?.alert.snoozedUntil).toBe(5000 + 900_000);
  });

  it('leaves escalation running: snoozing is not taking responsibility', () => {
    const alert = raised('occlusion_downstream', 'high');
    const snoozed = snooze(alert, 'Joy', 120_000, 5000)[0]?.alert as Alert;
    expect(snoozed.nextEscalationAt).toBe(alert.nextEscalationAt);
  });
});

describe('escalation', () => {
  const policy = { afterMs: { high: 120_000, medium: 600_000, low: null }, tiers: 3 };
  const raisedWith = (priority: 'high' | 'medium' | 'low') =>
    reconcile(new Map(), condition('battery_low', priority), scope, { ...ctx, policy })[0]?.alert as Alert;

  it('escalates an unacknowledged high alert tier by tier every 2 min, then re-notifies the last tier', () => {
    let alert = raisedWith('high');
    expect(alert.nextEscalationAt).toBe(1000 + 120_000);
    expect(escalate(alert, 1000 + 119_999, policy)).toEqual([]);
    const steps: string[] = [];
    for (let now = 1000 + 120_000; steps.length < 4; now += 120_000) {
      const [transition] = escalate(alert, now, policy);
      if (!transition) throw new Error(`nothing due at ${now}`);
      steps.push(`${transition.type}:${transition.alert.escalationLevel}`);
      alert = transition.alert;
    }
    expect(steps).toEqual(['escalated:1', 'escalated:2', 'renotified:2', 'renotified:2']);
  });

  it('waits 10 min for a medium alert and never escalates a low one', () => {
    expect(raisedWith('medium').nextEscalationAt).toBe(1000 + 600_000);
    expect(raisedWith('low').nextEscalationAt).toBeNull();
  });

  it('stops once the alert is acknowledged', () => {
    const acknowledged = acknowledge(raisedWith('high'), 'Joy', 2000)[0]?.alert as Alert;
    expect(acknowledged.nextEscalationAt).toBeNull();
    expect(escalate(acknowledged, 10_000_000, policy)).toEqual([]);
  });

  it('brings the next escalation forward when the priority rises', () => {
    const medium = raisedWith('medium');
    const [escalated] = reconcile(openOf(medium), condition('battery_low', 'high'), scope, {
      ...at(5000),
      policy,
    });
    expect(escalated?.alert.nextEscalationAt).toBe(5000 + 120_000);
  });

  describe('one cause, one alert: infiltration_suspected supersedes occlusion_developing', () => {
    const pressureScope: RuleId[] = [
      'occlusion_downstream',
      'occlusion_developing',
      'infiltration_suspected',
    ];
    const conditions = (...rules: RuleId[]) =>
      new Map(rules.map((rule) => [rule, { rule, priority: 'medium' as const, message: rule, details: {} }]));

    it('resolves the open warning with a link and carries its acknowledgement over', () => {
      const [first] = reconcile(new Map(), conditions('occlusion_developing'), pressureScope, ctx);
      const warning = acknowledge(first?.alert as Alert, 'nurse.kim', 1500)[0]?.alert as Alert;
      const transitions = reconcile(
        openOf(warning),
        conditions('occlusion_developing', 'infiltration_suspected'),
        pressureScope,
        at(2000),
      );
      expect(transitions.map((t) => `${t.type}:${t.alert.rule}`)).toEqual([
        'raised:infiltration_suspected',
        'resolved:occlusion_developing',
      ]);
      const [infiltration, ended] = transitions as [AlertTransition, AlertTransition];
      expect(infiltration.alert).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: 'nurse.kim',
        nextEscalationAt: null,
        details: { supersedes: warning.id },
      });
      expect(ended.details).toEqual({ reason: 'superseded', supersededBy: infiltration.alert.id });
    });

    it('keeps the warning quiet while the infiltration alert is open', () => {
      const [first] = reconcile(new Map(), conditions('infiltration_suspected'), pressureScope, ctx);
      const open = openOf(first?.alert as Alert);
      expect(
        reconcile(
          open,
          conditions('infiltration_suspected', 'occlusion_developing'),
          pressureScope,
          at(2000),
        ),
      ).toEqual([]);
    });

    it('raises only the infiltration alert when both conditions arrive with one sample, whatever the scope order', () => {
      const transitions = reconcile(
        new Map(),
        conditions('occlusion_developing', 'infiltration_suspected'),
        pressureScope,
        ctx,
      );
      expect(transitions.map((t) => `${t.type}:${t.alert.rule}`)).toEqual(['raised:infiltration_suspected']);
    });

    it('leaves both to occlusion_downstream at the limit', () => {
      const [first] = reconcile(new Map(), conditions('infiltration_suspected'), pressureScope, ctx);
      const transitions = reconcile(
        openOf(first?.alert as Alert),
        conditions('occlusion_downstream', 'occlusion_developing'),
        pressureScope,
        at(2000),
      );
      expect(transitions.map((t) => `${t.type}:${t.alert.rule}`)).toEqual([
        'raised:occlusion_downstream',
        'resolved:infiltration_suspected',
      ]);
    });
  });
});
