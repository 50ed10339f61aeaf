import type { StoredOrder } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { defaultEngineParams } from '../src/alerts/engine/params.js';
import { defaultEscalationPolicy } from '../src/alerts/lifecycle.js';
import type { PumpCareInterval } from '../src/ward/pump-care.js';
import { WardCore } from '../src/ward/ward-core.js';
import { sample } from './fixtures.js';

const T0 = 1_800_000_000_000;
const order = (drug: string, rate_mL_h: number): StoredOrder => ({
  pumpId: 'PUMP-1',
  drug,
  rate_mL_h,
  vtbi_mL: 500,
  tolerance_pct: 10,
  updatedAt: T0,
  updatedBy: 'coordinator',
});
const interval = (
  patient: string,
  drug: string,
  from: number,
  to: number | null,
  rate = 100,
): PumpCareInterval => ({
  from,
  to,
  snapshot: {
    patient: { id: patient, displayName: `Patient ${patient}`, teamId: 'team_1' },
    therapy: { id: `thr_${patient}`, drug },
  },
  order: order(drug, rate),
  active: true,
  schedule: null,
  endsAt: null,
});

const raisedIn = (outcome: ReturnType<WardCore['onSample']>) =>
  'transitions' in outcome ? outcome.transitions.filter((t) => t.type === 'raised').map((t) => t.alert) : [];

describe('the ward and the care model', () => {
  it('names the patient and therapy the pump had at the alert’s time, before and after a reassignment', () => {
    const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
    ward.setPumpCare('PUMP-1', [interval('pat_A', 'vancomycin', T0, null)]);
    const [first] = raisedIn(
      ward.onSample(
        'hub',
        'PUMP-1',
        sample({ seq: 1, ts: T0 + 1000, alarms: ['air_in_line'], state: 'stopped' }),
        T0 + 1000,
      ),
    );
    expect(first?.patient?.id).toBe('pat_A');
    expect(first?.therapy).toEqual({ id: 'thr_pat_A', drug: 'vancomycin' });

    // The pump goes to the next patient at T0 + 10 s; a sample stamped before the switch arrives late.
    ward.setPumpCare('PUMP-1', [
      interval('pat_A', 'vancomycin', T0, T0 + 10_000),
      interval('pat_B', 'ceftriaxone', T0 + 10_000, null),
    ]);
    ward.onSample('hub', 'PUMP-1', sample({ seq: 2, ts: T0 + 2000 }), T0 + 11_000);
    const [late] = raisedIn(
      ward.onSample('hub', 'PUMP-1', sample({ seq: 3, ts: T0 + 9000, alarms: ['occlusion'] }), T0 + 11_000),
    );
    expect(late?.patient?.id).toBe('pat_A');
    ward.onSample('hub', 'PUMP-1', sample({ seq: 4, ts: T0 + 12_000 }), T0 + 12_000);
    const [after] = raisedIn(
      ward.onSample(
        'hub',
        'PUMP-1',
        sample({ seq: 5, ts: T0 + 13_000, battery_pct: 4, onBattery: true }),
        T0 + 13_000,
      ),
    );
    expect(after?.patient?.id).toBe('pat_B');
    // The first alert keeps the patient it was raised for.
    expect(ward.openAlert(first?.id as string)?.patient?.id).toBe('pat_A');
    expect(ward.view('PUMP-1', T0 + 13_000)?.care?.patient?.id).toBe('pat_B');
  });

  it('checks order_mismatch against the current therapy’s order, else the pump’s own', () => {
    const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
    ward.setOrder('PUMP-1', order('saline', 20));
    expect(ward.order('PUMP-1')?.drug).toBe('saline');
    ward.setPumpCare('PUMP-1', [interval('pat_A', 'vancomycin', T0, null, 100)]);
    expect(ward.order('PUMP-1')?.drug).toBe('vancomycin');
    const rules = raisedIn(
      ward.onSample('hub', 'PUMP-1', sample({ seq: 1, ts: T0 + 1000, rate_mL_h: 20 }), T0 + 1000),
    ).map((a) => a.rule);
    expect(rules).toContain('order_mismatch');
    ward.setPumpCare('PUMP-1', [interval('pat_A', 'vancomycin', T0, T0 + 2000)]);
    expect(ward.order('PUMP-1')?.drug).toBe('saline');
    expect(ward.view('PUMP-1', T0 + 3000)?.care).toBeNull();
  });

  it('raises alerts of an unassigned pump with no patient', () => {
    const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
    const [alert] = raisedIn(
      ward.onSample(
        'hub',
        'PUMP-1',
        sample({ seq: 1, ts: T0, alarms: ['air_in_line'], state: 'stopped' }),
        T0,
      ),
    );
    expect(alert).toMatchObject({ patient: null, therapy: null });
  });
});

describe('the newest sample of a pump', () => {
  it('follows the pump after one sample stamped ahead, and ignores a resent older one', () => {
    const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
    ward.onSample('hub', 'PUMP-1', sample({ seq: 1, ts: T0 + 20 * 60_000 }), T0);
    ward.onSample('hub', 'PUMP-1', sample({ seq: 2, ts: T0 + 1000, vi_mL: 11 }), T0 + 1000);
    expect(ward.view('PUMP-1', T0 + 1000)?.latest?.seq).toBe(2);
    ward.onSample('hub', 'PUMP-1', sample({ seq: 3, ts: T0 + 2000, vi_mL: 12 }), T0 + 2000);
    // A gateway's resend of an earlier sample, after a reconnect.
    ward.onSample('hub', 'PUMP-1', sample({ seq: 0, ts: T0 - 1000, vi_mL: 9 }), T0 + 2500);
    expect(ward.view('PUMP-1', T0 + 2500)?.latest?.seq).toBe(3);
  });
});
