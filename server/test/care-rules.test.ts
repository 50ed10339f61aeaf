import type { Alert, PumpState } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { defaultEngineParams } from '../src/alerts/engine/params.js';
import { defaultEscalationPolicy } from '../src/alerts/lifecycle.js';
import type { PumpCareInterval } from '../src/ward/pump-care.js';
import { WardCore } from '../src/ward/ward-core.js';
import { sample } from './fixtures.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 11, 7, 6, 0);
/** Vancomycin every 12 h over 60 min, the first dose at T0 + 2 h. */
const FIRST_DOSE = T0 + 2 * HOUR;
const schedule = { kind: 'intermittent' as const, everyHours: 12, durationMin: 60, firstDoseAt: FIRST_DOSE };

const vancomycin = (from: number, overrides: Partial<PumpCareInterval> = {}): PumpCareInterval => ({
  from,
  to: null,
  snapshot: {
    patient: { id: 'pat_A', displayName: 'Zephyrine Quill', teamId: 'team_1' },
    therapy: { id: 'thr_A', drug: 'vancomycin' },
  },
  order: null,
  active: true,
  schedule,
  endsAt: null,
  ...overrides,
});

/** What the pump does at a time: its state and the volume of the program it runs. */
type Behaviour = (t: number) => { state: PumpState; vi_mL: number };

interface Seen {
  raised: Alert[];
  open: (rule: Alert['rule']) => Alert | undefined;
}

/** Drives the ward with a sample a minute and a tick a minute, from `from` to `to`. */
function run(ward: WardCore, from: number, to: number, behaviour: Behaviour, seq = { next: 1 }): Seen {
  const raised: Alert[] = [];
  for (let t = from; t <= to; t += MIN) {
    const { state, vi_mL } = behaviour(t);
    const outcome = ward.onSample(
      'hub',
      'PUMP-1',
      sample({
        seq: seq.next++,
        ts: t,
        state,
        vi_mL,
        vtbi_mL: 250,
        // Pumps report the programmed rate in every state.
        rate_mL_h: 250,
      }),
      t,
    );
    if ('transitions' in outcome)
      raised.push(...outcome.transitions.filter((x) => x.type === 'raised').map((x) => x.alert));
    raised.push(
      ...ward
        .tick(t)
        .transitions.filter((x) => x.type === 'raised')
        .map((x) => x.alert),
    );
  }
  return { raised, open: (rule) => ward.openAlerts().find((alert) => alert.rule === rule) };
}

/** One 60-minute dose as a new program (volume infused restarts at 0), starting at `start`. */
const doseAt =
  (start: number): Behaviour =>
  (t) => {
    if (t < start) return { state: 'stopped', vi_mL: 250 };
    if (t < start + HOUR) return { state: 'infusing', vi_mL: ((t - start) / HOUR) * 250 };
    return { state: 'complete', vi_mL: 250 };
  };

const newWard = () => {
  const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
  ward.setPumpCare('PUMP-1', [vancomycin(T0)]);
  return ward;
};

describe('dose_missed', () => {
  it('is raised for a skipped dose 60 min after its time, high after 120 min, and names the patient', () => {
    const ward = newWard();
    const idle: Behaviour = () => ({ state: 'complete', vi_mL: 250 });
    const beforeWindow = run(ward, T0, FIRST_DOSE + 59 * MIN, idle);
    expect(beforeWindow.raised.filter((a) => a.rule === 'dose_missed')).toEqual([]);
    const seq = { next: 1000 };
    const after = run(ward, FIRST_DOSE + 61 * MIN, FIRST_DOSE + 125 * MIN, idle, seq);
    const [missed] = after.raised.filter((a) => a.rule === 'dose_missed');
    expect(missed?.priority).toBe('medium');
    expect(missed?.patient?.displayName).toBe('Zephyrine Quill');
    expect(missed?.therapy?.drug).toBe('vancomycin');
    expect(after.open('dose_missed')?.priority).toBe('high');
    expect(after.open('dose_missed')?.id).toBe(missed?.id);
  });

  it('is not raised for a dose started within the window, nor for one paused and resumed mid-dose', () => {
    const ward = newWard();
    const start = FIRST_DOSE + 40 * MIN;
    const withShower: Behaviour = (t) => {
      // Paused 15 min in the middle of the dose, then the same program resumes.
      if (t >= start + 20 * MIN && t < start + 35 * MIN) return { state: 'paused', vi_mL: (20 / 60) * 250 };
      const shifted = t >= start + 35 * MIN ? t - 15 * MIN : t;
      return doseAt(start)(shifted);
    };
    const seen = run(ward, T0, FIRST_DOSE + 6 * HOUR, withShower);
    expect(seen.raised.map((a) => a.rule)).not.toContain('dose_missed');
    expect(seen.raised.map((a) => a.rule)).not.toContain('dose_early');
  });

  it('resolves when the late dose starts (a high one latches until acknowledged)', () => {
    const ward = newWard();
    const lateStart = FIRST_DOSE + 90 * MIN;
    const seen = run(ward, T0, lateStart + 10 * MIN, doseAt(lateStart));
    expect(seen.raised.filter((a) => a.rule === 'dose_missed')).toHaveLength(1);
    expect(seen.open('dose_missed')).toBeUndefined();
  });

  it('is quiet for a dose due before the pump was assigned and for a continuous or inactive therapy', () => {
    for (const interval of [
      vancomycin(FIRST_DOSE + 10 * MIN),
      vancomycin(T0, { schedule: null }),
      vancomycin(T0, { active: false }),
    ]) {
      const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
      ward.setPumpCare('PUMP-1', [interval]);
      const seen = run(ward, T0, FIRST_DOSE + 3 * HOUR, () => ({ state: 'complete', vi_mL: 250 }));
      expect(seen.raised.map((a) => a.rule)).not.toContain('dose_missed');
    }
  });
});

describe('dose_early', () => {
  it('is low for a dose started more than 2 h before its time, until its scheduled end', () => {
    const ward = newWard();
    const second = FIRST_DOSE + 12 * HOUR;
    // The first dose on time, the second 3 h early.
    const twoDoses: Behaviour = (t) =>
      t < second - 4 * HOUR ? doseAt(FIRST_DOSE)(t) : doseAt(second - 3 * HOUR)(t);
    const seen = run(ward, T0, second - 2 * HOUR, twoDoses);
    const early = seen.raised.filter((a) => a.rule === 'dose_early');
    expect(early.map((a) => a.priority)).toEqual(['low']);
    expect(seen.raised.map((a) => a.rule)).not.toContain('dose_missed');
    const later = run(ward, second + HOUR + MIN, second + HOUR + 2 * MIN, twoDoses, { next: 5000 });
    expect(later.open('dose_early')).toBeUndefined();
  });

  it('takes a second start near a dose already given for the next dose, given early', () => {
    const ward = newWard();
    const second = FIRST_DOSE + 12 * HOUR;
    // Five hours after the first dose ended, a new bag: nearer to the first dose's time than the second's.
    const again: Behaviour = (t) =>
      t < FIRST_DOSE + 5 * HOUR ? doseAt(FIRST_DOSE)(t) : doseAt(FIRST_DOSE + 6 * HOUR)(t);
    const seen = run(ward, T0, FIRST_DOSE + 6 * HOUR + 30 * MIN, again);
    const [early] = seen.raised.filter((a) => a.rule === 'dose_early');
    expect(early?.details).toMatchObject({ doseIndex: 1, dueAt: second, earlyByMs: 6 * HOUR });
  });
});

describe('planned pauses', () => {
  /** Infusing a continuous therapy, stopped from `stopAt` on with volume still to give. */
  const stopsAt =
    (stopAt: number): Behaviour =>
    (t) => ({ state: t < stopAt ? 'infusing' : 'stopped', vi_mL: 50 });

  it('keeps unexpected_stop quiet for the pause and raises it when the pause overruns', () => {
    const ward = newWard();
    ward.setPumpCare('PUMP-1', [vancomycin(T0, { schedule: null })]);
    const stopAt = T0 + 10 * MIN;
    ward.setPause('PUMP-1', stopAt + 30 * MIN);
    const during = run(ward, T0, stopAt + 29 * MIN, stopsAt(stopAt));
    expect(during.raised.map((a) => a.rule)).not.toContain('unexpected_stop');
    expect(ward.view('PUMP-1', stopAt)?.plannedPauseUntil).toBe(stopAt + 30 * MIN);
    const overrun = run(ward, stopAt + 30 * MIN, stopAt + 31 * MIN, stopsAt(stopAt), { next: 500 });
    expect(overrun.raised.filter((a) => a.rule === 'unexpected_stop').map((a) => a.priority)).toEqual([
      'medium',
    ]);
    const longer = run(ward, stopAt + 32 * MIN, stopAt + 40 * MIN, stopsAt(stopAt), { next: 600 });
    expect(longer.open('unexpected_stop')?.priority).toBe('high');
  });

  it('leaves a stop without a pause judged as before, and an ended pause ends the quiet', () => {
    const ward = newWard();
    ward.setPumpCare('PUMP-1', [vancomycin(T0, { schedule: null })]);
    const stopAt = T0 + 10 * MIN;
    ward.setPause('PUMP-1', stopAt + 30 * MIN);
    run(ward, T0, stopAt + 5 * MIN, stopsAt(stopAt));
    ward.setPause('PUMP-1', null);
    const after = run(ward, stopAt + 6 * MIN, stopAt + 8 * MIN, stopsAt(stopAt), { next: 700 });
    expect(after.open('unexpected_stop')).toBeDefined();
  });
});

describe('unassigned_infusing', () => {
  it('is low for a pump infusing 5 min with no therapy once patients are in use, and never before', () => {
    const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
    const infusing: Behaviour = (t) => ({ state: 'infusing', vi_mL: ((t - T0) / HOUR) * 250 });
    const noCare = run(ward, T0, T0 + 10 * MIN, infusing);
    expect(noCare.raised.map((a) => a.rule)).not.toContain('unassigned_infusing');

    // Another pump gets a patient: now an unassigned pump infusing is news.
    ward.setPumpCare('PUMP-2', [vancomycin(T0)]);
    const seen = run(ward, T0 + 11 * MIN, T0 + 20 * MIN, infusing, { next: 100 });
    const [alert] = seen.raised.filter((a) => a.rule === 'unassigned_infusing');
    expect(alert?.priority).toBe('low');
    expect(alert?.patient).toBeNull();

    ward.setPumpCare('PUMP-1', [vancomycin(T0 + 21 * MIN, { schedule: null })]);
    const assigned = run(ward, T0 + 21 * MIN, T0 + 23 * MIN, infusing, { next: 200 });
    expect(assigned.open('unassigned_infusing')).toBeUndefined();
  });
});

describe('what the ward saw', () => {
  it('does not judge a dose due before it watched the pump, and takes a dose under way for started', () => {
    const ward = newWard();
    // The server starts (or the pump is first heard) 30 min after the first dose was due.
    const idle = run(ward, FIRST_DOSE + 30 * MIN, FIRST_DOSE + 3 * HOUR, () => ({
      state: 'complete',
      vi_mL: 250,
    }));
    expect(idle.raised.map((a) => a.rule)).not.toContain('dose_missed');

    // First heard 40 min into a dose that started on time: that dose counts as started.
    const midDose = newWard();
    const seen = run(midDose, FIRST_DOSE + 40 * MIN, FIRST_DOSE + 12 * HOUR - MIN, doseAt(FIRST_DOSE));
    expect(seen.raised.map((a) => a.rule)).not.toContain('dose_missed');
    expect(seen.raised.map((a) => a.rule)).not.toContain('dose_early');

    // First heard paused part-way through a dose started 5 min early: the stop is news, the dose is not.
    const paused = newWard();
    const heard = run(paused, FIRST_DOSE - MIN, FIRST_DOSE + 2 * HOUR, () => ({
      state: 'paused',
      vi_mL: (3 / 60) * 250,
    }));
    expect(heard.raised.map((a) => a.rule)).toContain('unexpected_stop');
    expect(heard.raised.map((a) => a.rule)).not.toContain('dose_missed');
  });

  it('raises no unexpected_stop for a pump programmed and waiting for its dose', () => {
    const ward = newWard();
    const waiting = run(ward, T0, T0 + HOUR, () => ({ state: 'standby', vi_mL: 0 }));
    expect(waiting.raised.map((a) => a.rule)).not.toContain('unexpected_stop');
  });
});
