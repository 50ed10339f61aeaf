import { DEFAULT_SNOOZE_MS, MAX_SNOOZE_MS } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import {
  type AlarmInputs,
  alarmDemand,
  BURSTS,
  CONNECTION_ALARM_AFTER_MS,
  isNewAlarm,
  pruneLocalSnoozes,
  sessionEndedTone,
  startAudioPause,
} from '../src/alarm.js';
import { alert } from './fixtures.js';

const NOW = 5_000_000;

function inputs(overrides: Partial<AlarmInputs> = {}): AlarmInputs {
  return {
    alerts: [],
    serverNow: NOW,
    now: NOW,
    pause: null,
    localSnoozes: new Map(),
    notLiveSince: null,
    ...overrides,
  };
}

describe('IEC 60601-1-8 burst patterns', () => {
  it('high is a 10-pulse burst, medium a 3-pulse burst', () => {
    expect(BURSTS.high.pulses).toHaveLength(10);
    expect(BURSTS.medium.pulses).toHaveLength(3);
  });

  it('keeps pulse lengths and repeat intervals within the standard', () => {
    for (const p of BURSTS.high.pulses) expect([p.ms >= 75, p.ms <= 200]).toEqual([true, true]);
    for (const p of BURSTS.medium.pulses) expect([p.ms >= 125, p.ms <= 250]).toEqual([true, true]);
    expect(BURSTS.high.repeatMs).toBeGreaterThanOrEqual(2_500);
    expect(BURSTS.high.repeatMs).toBeLessThanOrEqual(15_000);
    expect(BURSTS.medium.repeatMs).toBeGreaterThanOrEqual(2_500);
    expect(BURSTS.medium.repeatMs).toBeLessThanOrEqual(30_000);
  });

  it('never overlaps pulses, and a burst ends well before the next starts', () => {
    for (const b of Object.values(BURSTS)) {
      b.pulses.forEach((p, i) => {
        const next = b.pulses[i + 1];
        if (next) expect(next.at).toBeGreaterThan(p.at + p.ms);
      });
      const last = b.pulses[b.pulses.length - 1];
      expect((last?.at ?? 0) + (last?.ms ?? 0)).toBeLessThan(b.repeatMs);
    }
  });

  it('sounds differently: distinct pitch as well as rhythm', () => {
    expect(BURSTS.high.frequencyHz).not.toBe(BURSTS.medium.frequencyHz);
  });
});

describe('what the speaker should do', () => {
  it('is quiet with no alerts, and for low alerts', () => {
    expect(alarmDemand(inputs()).tone).toBeNull();
    expect(alarmDemand(inputs({ alerts: [alert({ priority: 'low' })] })).tone).toBeNull();
  });

  it('sounds the worst active alert: high over medium', () => {
    const d = alarmDemand(inputs({ alerts: [alert({ id: 'm', priority: 'medium' }), alert({ id: 'h' })] }));
    expect(d).toMatchObject({ tone: 'high', reason: 'alert', sounding: 2, paused: false });
    expect(alarmDemand(inputs({ alerts: [alert({ priority: 'medium' })] })).tone).toBe('medium');
  });

  it('stops for an acknowledged alert', () => {
    expect(alarmDemand(inputs({ alerts: [alert({ status: 'acknowledged' })] })).tone).toBeNull();
  });

  it('keeps sounding a latched alert until it is acknowledged', () => {
    expect(alarmDemand(inputs({ alerts: [alert({ latched: true })] })).tone).toBe('high');
  });

  it('is quiet while the server snooze runs (server clock) and sounds again after it', () => {
    const snoozed = alert({ snoozedUntil: NOW + 1000 });
    expect(alarmDemand(inputs({ alerts: [snoozed] })).tone).toBeNull();
    expect(alarmDemand(inputs({ alerts: [snoozed], serverNow: NOW + 1000 })).tone).toBe('high');
  });

  it('honours a local snooze of one alert only', () => {
    const d = alarmDemand(
      inputs({
        alerts: [alert({ id: 'h' }), alert({ id: 'm', priority: 'medium' })],
        localSnoozes: new Map([['h', NOW + 1]]),
      }),
    );
    expect(d.tone).toBe('medium');
  });

  it('holds everything during the console-wide audio pause, and says it is paused', () => {
    const pause = startAudioPause(NOW);
    const d = alarmDemand(inputs({ alerts: [alert()], pause }));
    expect(d).toMatchObject({ tone: null, paused: true });
    expect(alarmDemand(inputs({ alerts: [alert()], pause, now: pause.until })).tone).toBe('high');
  });

  it('bounds the audio pause: 2 min by default, never more than 15 min', () => {
    expect(startAudioPause(NOW).until - NOW).toBe(DEFAULT_SNOOZE_MS);
    expect(startAudioPause(NOW, 10 * 3_600_000).until - NOW).toBe(MAX_SNOOZE_MS);
  });

  it('sounds a medium alarm when the console has not been live for 30 s', () => {
    expect(alarmDemand(inputs({ notLiveSince: NOW - 29_999 })).tone).toBeNull();
    expect(alarmDemand(inputs({ notLiveSince: NOW - CONNECTION_ALARM_AFTER_MS }))).toMatchObject({
      tone: 'medium',
      reason: 'connection',
    });
  });
});

describe('new alarms', () => {
  it('are newly active alerts, or ones that rose in priority or tier', () => {
    expect(isNewAlarm(undefined, alert())).toBe(true);
    expect(isNewAlarm(alert({ status: 'acknowledged' }), alert())).toBe(true);
    expect(isNewAlarm(alert(), alert())).toBe(false);
    expect(isNewAlarm(alert({ priority: 'medium' }), alert())).toBe(true);
    expect(isNewAlarm(alert(), alert({ escalationLevel: 1 }))).toBe(true);
    expect(isNewAlarm(undefined, alert({ status: 'acknowledged' }))).toBe(false);
  });

  it('expired local snoozes are dropped', () => {
    expect([
      ...pruneLocalSnoozes(
        new Map([
          ['a', 5],
          ['b', 10],
        ]),
        5,
      ).keys(),
    ]).toEqual(['b']);
  });
});

describe('a session that ended on its own', () => {
  it('sounds medium 30 s after it ended, like a lost connection; a logout never does', () => {
    expect(sessionEndedTone(1_000, 1_000 + CONNECTION_ALARM_AFTER_MS - 1)).toBeNull();
    expect(sessionEndedTone(1_000, 1_000 + CONNECTION_ALARM_AFTER_MS)).toBe('medium');
    expect(sessionEndedTone(null, 10 * CONNECTION_ALARM_AFTER_MS)).toBeNull();
  });
});
