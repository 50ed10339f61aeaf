import type { RuleId } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { groupAlertRows, groupTitle } from '../src/render/alert-groups.js';
import { alertRowView } from '../src/view.js';
import { alert } from './fixtures.js';

const NOW = Date.UTC(2026, 0, 1, 9, 0, 0);
const row = (id: string, pumpId: string, priority: 'high' | 'medium' | 'low', rule: RuleId = 'battery_low') =>
  alertRowView(alert({ id, pumpId, priority, rule }), NOW);

describe('the inbox groups a pump’s alerts into one card (issue 16)', () => {
  it('puts each pump’s alerts in one card, pumps in inbox order, worst priority on top', () => {
    // Inbox order as the console gives it; pump-1's medium comes before its high here on purpose.
    const groups = groupAlertRows([
      row('a1', 'pump-1', 'medium'),
      row('b1', 'pump-2', 'high', 'occlusion_downstream'),
      row('a2', 'pump-1', 'high', 'occlusion_downstream'),
      row('a3', 'pump-1', 'low', 'near_end'),
      row('b2', 'pump-2', 'medium'),
    ]);
    expect(groups.map((g) => [g.key, g.worst, g.rows.map((r) => r.id)])).toEqual([
      ['pump-1', 'high', ['a2', 'a1', 'a3']],
      ['pump-2', 'high', ['b1', 'b2']],
    ]);
  });

  it('keeps the given order among alerts of the same priority', () => {
    const groups = groupAlertRows([
      row('x', 'p', 'medium'),
      row('y', 'p', 'medium'),
      row('z', 'p', 'medium'),
    ]);
    expect(groups[0]?.rows.map((r) => r.id)).toEqual(['x', 'y', 'z']);
  });

  it('names the pump on the card, and the count when it holds more than one alert', () => {
    const [one] = groupAlertRows([row('a1', 'pump-1', 'medium')]);
    const [two] = groupAlertRows([row('a1', 'pump-1', 'medium'), row('a2', 'pump-1', 'low', 'near_end')]);
    expect(one && groupTitle(one)).toBe('pump-1 on hub-1');
    expect(two && groupTitle(two)).toBe('pump-1 on hub-1 · 2 alerts');
  });
});
