import type { Alert, TelemetrySample } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { defaultEngineParams, resolveParams } from '../src/alerts/engine/params.js';
import { EngineCore } from '../src/alerts/engine-core.js';
import { type AlertTransition, acknowledge, defaultEscalationPolicy } from '../src/alerts/lifecycle.js';
import { sample } from './fixtures.js';

const MIN = 60_000;

/** An engine core whose every transition is applied at once, as the ward core does. */
function engine(overrides = {}) {
  const core = new EngineCore({
    params: resolveParams(defaultEngineParams, overrides),
    policy: defaultEscalationPolicy,
  });
  let seq = 0;
  const log: AlertTransition[] = [];
  const applied = (transitions: AlertTransition[]) => {
    for (const t of transitions) {
      core.apply(t.alert);
      log.push(t);
    }
    return transitions;
  };
  return {
    core,
    log,
    feed(ts: number, fields: Partial<TelemetrySample>) {
      seq += 1;
      return applied(core.onSample('hub-1', 'pump-1', sample({ seq, ts, ...fields }), ts));
    },
    ack(alert: Alert, at: number) {
      return applied(acknowledge(core.open(alert.id) as Alert, 'nurse.kim', at));
    },
  };
}

const onBattery = (battery_pct: number) => ({ onBattery: true, battery_pct });

describe('one episode, one alert (issue 16)', () => {
  it('reopens the same alert when its condition returns within the hold-off: retriggered, not raised', () => {
    const e = engine();
    const [raised] = e.feed(MIN, onBattery(19));
    expect(raised?.type).toBe('raised');
    expect(e.feed(2 * MIN, onBattery(25)).map((t) => t.type)).toEqual(['resolved']);
    const [back] = e.feed(5 * MIN, onBattery(19));
    expect(back?.type).toBe('retriggered');
    expect(back?.alert).toMatchObject({ id: raised?.alert.id, status: 'active', resolvedAt: null });
    expect(back?.details).toEqual({ resolvedAt: 2 * MIN, afterMs: 3 * MIN });
    // Unacknowledged, it escalates again from the reopening.
    expect(back?.alert.nextEscalationAt).toBe(5 * MIN + (defaultEscalationPolicy.afterMs.medium as number));
  });

  it('keeps the acknowledgement of the alert it reopens', () => {
    const e = engine();
    const [raised] = e.feed(MIN, onBattery(19));
    e.ack(raised?.alert as Alert, 90_000);
    e.feed(2 * MIN, onBattery(25));
    const [back] = e.feed(4 * MIN, onBattery(19));
    expect(back?.type).toBe('retriggered');
    expect(back?.alert).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'nurse.kim',
      acknowledgedAt: 90_000,
      nextEscalationAt: null,
    });
  });

  it('raises a new alert once the hold-off has passed, and for rules whose hold-off is 0', () => {
    const e = engine({ retrigger: { byRule: { battery_low: 0 } } });
    const [first] = e.feed(MIN, onBattery(19));
    e.feed(2 * MIN, onBattery(25));
    const [again] = e.feed(3 * MIN, onBattery(19));
    expect(again?.type).toBe('raised');
    expect(again?.alert.id).not.toBe(first?.alert.id);

    const later = engine();
    later.feed(MIN, onBattery(19));
    later.feed(2 * MIN, onBattery(25));
    expect(later.feed(2 * MIN + 300_001, onBattery(19))[0]?.type).toBe('raised');
  });

  it('reports a latched alert coming back as retriggered under its own id', () => {
    const e = engine();
    const [raised] = e.feed(MIN, { alarms: ['air_in_line'] });
    expect(e.feed(2 * MIN, {}).map((t) => t.type)).toEqual(['latched']);
    const [back] = e.feed(3 * MIN, { alarms: ['air_in_line'] });
    expect(back).toMatchObject({ type: 'retriggered', details: { from: 'latched' } });
    expect(back?.alert).toMatchObject({ id: raised?.alert.id, latched: false });
  });
});

describe('one cause, one alert (issue 16)', () => {
  /** 0.5 mL/h: steady at 20 mmHg for 10 min, then climbing 6 mmHg/min to the 300 mmHg limit. */
  const occlusion = (minute: number) => ({
    rate_mL_h: 0.5,
    vi_mL: 10 + (0.5 * minute) / 60,
    pressure_mmHg: minute < 10 ? 20 : Math.min(310, 20 + (minute - 10) * 6),
  });

  it('supersedes occlusion_developing by occlusion_downstream at the limit, carrying the acknowledgement over', () => {
    const e = engine();
    let developing: Alert | undefined;
    for (let minute = 0; minute <= 60; minute += 0.25) {
      for (const t of e.feed(minute * MIN + 1, occlusion(minute))) {
        if (t.type === 'raised' && t.alert.rule === 'occlusion_developing') {
          developing = t.alert;
          e.ack(t.alert, minute * MIN + 2);
        }
      }
    }
    expect(developing).toBeDefined();
    const types = e.log.map((t) => `${t.type}:${t.alert.rule}`);
    expect(types).toEqual([
      'raised:occlusion_developing',
      'acknowledged:occlusion_developing',
      'raised:occlusion_downstream',
      'resolved:occlusion_developing',
    ]);
    const downstream = e.log[2] as AlertTransition;
    const superseded = e.log[3] as AlertTransition;
    expect(downstream.alert).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'nurse.kim',
      nextEscalationAt: null,
      details: expect.objectContaining({ supersedes: developing?.id }),
    });
    expect(downstream.details).toEqual({ supersedes: [developing?.id] });
    expect(superseded.details).toEqual({ reason: 'superseded', supersededBy: downstream.alert.id });
    expect(superseded.alert.details.supersededBy).toBe(downstream.alert.id);
    // One occlusion alert open, not two side by side.
    expect([...e.core.openAlertsOf('pump-1')].map((a) => a.rule)).toEqual(['occlusion_downstream']);
  });

  it('raises occlusion_downstream active when nobody had acknowledged the warning', () => {
    const e = engine();
    for (let minute = 0; minute <= 60; minute += 0.25) e.feed(minute * MIN + 1, occlusion(minute));
    const downstream = e.log.find((t) => t.alert.rule === 'occlusion_downstream');
    expect(downstream?.alert.status).toBe('active');
    expect([...e.core.openAlertsOf('pump-1')].map((a) => a.rule)).toEqual(['occlusion_downstream']);
  });
});
