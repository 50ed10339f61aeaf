import { describe, expect, it } from 'vitest';
import { CLOCK_AHEAD_MS, pumpCardView } from '../src/pump-view.js';
import { pump, sample } from './fixtures.js';

/**
 * Issue 13, defect: "Delivered rate: measuring…" on every card while the detail chart drew the rate. The
 * server keeps the sample with the highest `ts` as a pump's `latest`; after a hub or pump clock that ran
 * ahead is set back, every pump frame carries that old sample until the clock catches up, so the console
 * never saw a second point. The card now says what it knows: the clock is ahead, the rate unknown.
 */

describe('a pump whose newest sample is stamped ahead of the server', () => {
  const now = 10_000_000;
  it('warns that the readings may be out of date and does not say "measuring…"', () => {
    const view = pumpCardView(pump({ latest: sample({ ts: now + 20 * 60_000 }) }), [], now, null);
    expect(view.clockWarning).toBe('Pump clock 20 min ahead of the server: readings may be out of date');
    expect(view.deliveredText).toBe('unknown: pump clock ahead');
    expect(view.deliveredLevel).toBe('warn');
  });

  it('a measured rate is still shown, and a clock within the tolerance is not flagged', () => {
    const ahead = pumpCardView(
      pump({ latest: sample({ ts: now + 20 * 60_000, rate_mL_h: 100 }) }),
      [],
      now,
      100,
    );
    expect(ahead.deliveredText).toBe('100 mL/h');
    const inStep = pumpCardView(pump({ latest: sample({ ts: now + CLOCK_AHEAD_MS }) }), [], now, null);
    expect(inStep.clockWarning).toBeNull();
    expect(inStep.deliveredText).toBe('measuring…');
  });

  it('links the patient page and carries the therapy line when a patient is named', () => {
    const view = pumpCardView(
      pump({
        care: {
          patient: { id: 'pat_1', displayName: 'Ana', teamId: 'team_1' },
          therapy: { id: 'thr_1', drug: 'V' },
        },
      }),
      [],
      1_000_000,
      null,
      { therapyText: 'Day 2 of 10' },
    );
    expect(view.patientHref).toBe('#/patients/pat_1');
    expect(view.therapyText).toBe('Day 2 of 10');
    expect(pumpCardView(pump(), [], 1_000_000).patientHref).toBeNull();
  });
});
