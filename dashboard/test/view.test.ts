import { describe, expect, it } from 'vitest';
import { alertRowView, escalationText, pumpCardView, remainingText, summaryView } from '../src/view.js';
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

  it('shows programmed against delivered rate, and flags a delivered rate off by more than 10 %', () => {
    const ok = pumpCardView(pump(), [], NOW, 12.0);
    expect(ok).toMatchObject({ rateText: '12.5 mL/h', deliveredText: '12.0 mL/h', deliveredLevel: 'ok' });
    const off = pumpCardView(pump(), [], NOW, 10.0);
    expect(off).toMatchObject({ deliveredText: '10.0 mL/h (−20 %)', deliveredLevel: 'warn' });
    expect(pumpCardView(pump(), [], NOW, null).deliveredText).toBe('measuring…');
    expect(pumpCardView(pump(), [], NOW).deliveredText).toBe('—');
    expect(pumpCardView(pump({ online: false }), [], NOW, 12).deliveredText).toBe('—');
  });

  it('allows 0.2 mL/h of deviation at low rates (rate_deviation, clinical-reference.md#rule-catalog)', () => {
    const slow = pump({ latest: sample({ rate_mL_h: 0.5 }) });
    expect(pumpCardView(slow, [], NOW, 0.35).deliveredLevel).toBe('ok');
    expect(pumpCardView(slow, [], NOW, 0.25).deliveredLevel).toBe('warn');
  });

  it('flags flow from a pump that is not infusing', () => {
    const stopped = pump({ latest: sample({ state: 'stopped' }) });
    expect(pumpCardView(stopped, [], NOW, 0).deliveredLevel).toBe('ok');
    expect(pumpCardView(stopped, [], NOW, 5)).toMatchObject({
      deliveredText: '5.0 mL/h',
      deliveredLevel: 'warn',
    });
  });

  it('shows the drug and prescribed rate when an order is set, and a programming that differs', () => {
    const order = {
      pumpId: 'pump-1',
      drug: 'Ceftriaxone 2 g',
      rate_mL_h: 12.5,
      vtbi_mL: 250,
      tolerance_pct: 10,
      updatedAt: 1,
      updatedBy: null,
    };
    const v = pumpCardView(pump({ order }), [], NOW);
    expect(v).toMatchObject({
      drugText: 'Ceftriaxone 2 g',
      orderText: 'Ordered 12.5 mL/h, 250 mL',
      orderWarning: null,
    });
    const wrong = pumpCardView(pump({ order, latest: sample({ rate_mL_h: 25 }) }), [], NOW);
    expect(wrong.orderWarning).toBe('Programmed 25.0 mL/h differs from the order');
    expect(pumpCardView(pump(), [], NOW).drugText).toBeNull();
  });

  it('says when the hub has lost its link to the pump', () => {
    const v = pumpCardView(pump({ link: 'down' }), [], NOW);
    expect(v.linkDown).toBe(true);
    expect(v.connectivity).toBe('Pump link down');
    expect(v.stateLabel).toBe('Last known: Infusing');
  });

  it('links to the pump detail view', () => {
    expect(pumpCardView(pump({ pumpId: 'PUMP 7' }), [], NOW).href).toBe('#/pumps/PUMP%207');
  });
});

describe('time remaining', () => {
  it('is the volume left at the programmed rate', () => {
    expect(remainingText(sample({ vi_mL: 120, vtbi_mL: 250, rate_mL_h: 100 }))).toBe('1 h 18 min left');
    expect(remainingText(sample({ vi_mL: 249.5, vtbi_mL: 250, rate_mL_h: 100 }))).toBe('under 1 min left');
  });
  it('says when the pump is not infusing', () => {
    expect(remainingText(sample({ state: 'paused', vi_mL: 0, vtbi_mL: 100, rate_mL_h: 50 }))).toBe(
      '2 h 00 min left at the set rate (not infusing)',
    );
  });
  it('says VTBI reached when done, and nothing without a VTBI', () => {
    expect(remainingText(sample({ vi_mL: 250, vtbi_mL: 250 }))).toBe('VTBI reached');
    expect(remainingText(sample({ state: 'kvo', vi_mL: 10, vtbi_mL: 250 }))).toBe('VTBI reached');
    expect(remainingText(sample({ vtbi_mL: undefined }))).toBeNull();
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
      ackLabel: 'Acknowledge high priority alert: Downstream occlusion for Unassigned pump, pump-1 on hub-1',
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

  it('notes latching; says escalation and a running snooze on their own lines', () => {
    const v = alertRowView(
      alert({
        latched: true,
        escalationLevel: 1,
        escalatedAt: Date.UTC(2026, 0, 1, 9, 56, 0),
        snoozedUntil: Date.UTC(2026, 0, 1, 10, 0, 0),
      }),
      Date.UTC(2026, 0, 1, 9, 59, 0),
      'UTC',
    );
    expect(v.notes).toEqual(['Condition ended — kept until acknowledged']);
    expect(v.escalationText).toBe('Escalated to tier 2, 3 min ago');
    expect(v.escalationLevel).toBe(1);
    expect(v.snoozeText).toBe('Audio snoozed until 10:00:00 (1:00 left)');
    expect(v.canSnooze).toBe(false);
  });

  it('offers snooze for sounding alerts only: active high and medium, not low, not acknowledged', () => {
    expect(alertRowView(alert(), NOW).canSnooze).toBe(true);
    expect(alertRowView(alert({ priority: 'medium' }), NOW).canSnooze).toBe(true);
    expect(alertRowView(alert({ priority: 'low' }), NOW).canSnooze).toBe(false);
    expect(alertRowView(alert({ status: 'acknowledged' }), NOW).canSnooze).toBe(false);
    expect(alertRowView(alert(), NOW).snoozeLabel).toBe(
      'Snooze the sound of high priority alert: Downstream occlusion for Unassigned pump, pump-1 on hub-1',
    );
  });

  it('shows an expired snooze as no snooze', () => {
    const v = alertRowView(alert({ snoozedUntil: NOW - 1 }), NOW);
    expect(v.snoozeText).toBeNull();
    expect(v.canSnooze).toBe(true);
  });

  it('says when only this console keeps an alert quiet', () => {
    const v = alertRowView(alert(), Date.UTC(2026, 0, 1, 9, 0, 0), 'UTC', {
      localSnoozedUntil: Date.UTC(2026, 0, 1, 9, 2, 0),
    });
    expect(v.snoozeText).toBe('Audio paused on this console only until 09:02:00 (2:00 left)');
    expect(v.canSnooze).toBe(false);
  });
});

describe('escalation text', () => {
  const now = 10_000_000;
  it('is absent before anything escalates or is scheduled', () => {
    expect(escalationText(alert(), now)).toBeNull();
  });
  it('says the tier (counted from 1) and how long ago', () => {
    expect(escalationText(alert({ escalationLevel: 2, escalatedAt: now - 65_000 }), now)).toBe(
      'Escalated to tier 3, 1 min ago',
    );
  });
  it('says a risen priority at tier 1', () => {
    expect(escalationText(alert({ escalatedAt: now - 4_000 }), now)).toBe('Priority raised 4 s ago');
  });
  it('counts down to the next escalation while unacknowledged', () => {
    expect(escalationText(alert({ nextEscalationAt: now + 90_000 }), now)).toBe(
      'Tier 1 notified; next escalation in 1:30 unless acknowledged',
    );
    expect(
      escalationText(alert({ escalationLevel: 1, escalatedAt: now - 1_000, nextEscalationAt: now - 5 }), now),
    ).toBe('Escalated to tier 2, 1 s ago; next escalation now unless acknowledged');
  });
  it('drops the countdown once acknowledged', () => {
    expect(
      escalationText(
        alert({
          status: 'acknowledged',
          escalationLevel: 1,
          escalatedAt: now - 1_000,
          nextEscalationAt: null,
        }),
        now,
      ),
    ).toBe('Escalated to tier 2, 1 s ago');
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
