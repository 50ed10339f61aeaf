import { describe, expect, it } from 'vitest';
import { alertRowView, pumpCardView, summaryView } from '../src/view.js';
import { alert, pump, sample } from './fixtures.js';

const NOW = 1_000_000;

describe('pump card view', () => {
  it('shows rate, volume over VTBI, pressure over limit, battery and last seen', () => {
    const v = pumpCardView(pump({ lastSeen: NOW - 4_000 }), [], NOW);
    expect(v).toMatchObject({
      pumpId: 'pump-1',
      hubId: 'hub-1',
      stateLabel: 'Infusing',
      rateText: '12.5 mL/h',
      volumeText: '120 / 250 mL',
      pressureText: '90 / 300 mmHg',
      pressureLevel: 'ok',
      batteryText: '82 %, mains',
      batteryLevel: 'ok',
      lastSeenText: 'last seen 4 s ago',
      connectivity: 'Online',
      worst: null,
    });
    expect(v.volumeFraction).toBeCloseTo(0.48);
    expect(v.pressureFraction).toBeCloseTo(0.3);
  });

  it('flags pressure from half the occlusion limit, and at the limit', () => {
    expect(pumpCardView(pump({ latest: sample({ pressure_mmHg: 160 }) }), [], NOW).pressureLevel).toBe(
      'warn',
    );
    expect(pumpCardView(pump({ latest: sample({ pressure_mmHg: 300 }) }), [], NOW).pressureLevel).toBe(
      'alarm',
    );
  });

  it('flags a low and an empty battery', () => {
    expect(pumpCardView(pump({ latest: sample({ battery_pct: 18 }) }), [], NOW).batteryLevel).toBe('warn');
    expect(pumpCardView(pump({ latest: sample({ battery_pct: 4 }) }), [], NOW).batteryLevel).toBe('alarm');
  });

  it('shows a pump without any sample as such, not as zeros', () => {
    const v = pumpCardView(pump({ latest: null, lastSeen: null, online: false }), [], NOW);
    expect(v.stateLabel).toBe('No data yet');
    expect(v.rateText).toBe('—');
    expect(v.volumeFraction).toBeNull();
    expect(v.lastSeenText).toBe('never seen');
    expect(v.connectivity).toBe('Offline');
  });

  it("labels an offline pump's state as last known", () => {
    expect(pumpCardView(pump({ online: false }), [], NOW).stateLabel).toBe('Last known: Infusing');
  });

  it('says when the hub is offline', () => {
    expect(pumpCardView(pump({ online: false, hubOnline: false }), [], NOW).connectivity).toBe('Hub offline');
  });

  it('lists its open alerts worst first and names the worst priority', () => {
    const v = pumpCardView(
      pump(),
      [
        alert({ id: 'lo', priority: 'low', rule: 'near_end' }),
        alert({
          id: 'hi',
          priority: 'high',
          status: 'acknowledged',
          acknowledgedBy: 'Ana',
          acknowledgedAt: 1,
        }),
        alert({ id: 'gone', status: 'resolved', resolvedAt: 2 }),
      ],
      NOW,
    );
    expect(v.worst).toBe('high');
    expect(v.worstUnacknowledged).toBe(false);
    expect(v.alerts.map((a) => a.id)).toEqual(['hi', 'lo']);
    expect(v.alerts[0]?.text).toBe('Downstream occlusion (acknowledged)');
  });
});

describe('alert row view', () => {
  it('describes an active high alert: flashing, acknowledgeable, with a specific button label', () => {
    const v = alertRowView(
      alert({ raisedAt: Date.UTC(2026, 0, 1, 9, 30, 0) }),
      Date.UTC(2026, 0, 1, 9, 34, 0),
      'UTC',
    );
    expect(v).toMatchObject({
      priority: 'high',
      priorityLabel: 'High priority',
      ruleLabel: 'Downstream occlusion',
      pumpText: 'pump-1 on hub-1',
      raisedText: 'Raised 09:30:00 (4 min ago)',
      statusText: 'Active — not acknowledged',
      canAcknowledge: true,
      flashing: true,
      ackLabel: 'Acknowledge high priority alert: Downstream occlusion on pump-1 on hub-1',
    });
  });

  it('shows who acknowledged and when, and stops flashing', () => {
    const v = alertRowView(
      alert({
        status: 'acknowledged',
        acknowledgedBy: 'Ana Silva',
        acknowledgedAt: Date.UTC(2026, 0, 1, 9, 31, 5),
      }),
      NOW,
      'UTC',
    );
    expect(v.statusText).toBe('Acknowledged by Ana Silva at 09:31:05');
    expect(v.canAcknowledge).toBe(false);
    expect(v.flashing).toBe(false);
  });

  it('never flashes a low alert', () => {
    expect(alertRowView(alert({ priority: 'low' }), NOW).flashing).toBe(false);
    expect(alertRowView(alert({ priority: 'medium' }), NOW).flashing).toBe(true);
  });

  it('notes latching, escalation and a running audio pause', () => {
    const v = alertRowView(
      alert({ latched: true, escalationLevel: 1, snoozedUntil: Date.UTC(2026, 0, 1, 10, 0, 0) }),
      Date.UTC(2026, 0, 1, 9, 59, 0),
      'UTC',
    );
    expect(v.notes).toEqual([
      'Condition ended — kept until acknowledged',
      'Escalated to on-call tier 2',
      'Audio paused until 10:00:00',
    ]);
  });
});

describe('summary', () => {
  it('counts unacknowledged alerts by priority', () => {
    const s = summaryView([
      alert({ id: '1' }),
      alert({ id: '2', priority: 'low' }),
      alert({ id: '3', status: 'acknowledged' }),
    ]);
    expect(s.active).toEqual({ high: 1, medium: 0, low: 1 });
    expect(s.text).toBe('2 unacknowledged: 1 high, 0 medium, 1 low');
  });

  it('says so when nothing waits', () => {
    expect(summaryView([alert({ status: 'acknowledged' })]).text).toBe(
      'No unacknowledged alerts, 1 acknowledged',
    );
  });
});
