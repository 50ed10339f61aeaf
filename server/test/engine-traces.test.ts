import { NORMAL_RATES_mL_h } from '@pumpwatch/simulators';
import { describe, expect, it } from 'vitest';
import { firstRaise, raisedRules, runEngine, scenarioTrace } from './support/traces.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * Rules on traces of the simulated pump (±5 % flow error, pressure noise), not on hand-made numbers:
 * each fires when it should, within an asserted delay, and stays quiet on normal infusions.
 */
describe('rules on simulated pump traces', () => {
  it.each([0.5, 5, 100, 500])(
    'detects a downstream occlusion at %s mL/h, warning early at low rates',
    (rate) => {
      const onset = 10 * MIN;
      // Realistic line compliance: ~50 min to the limit at 0.5 mL/h, ~5 min at 5 mL/h
      // (docs/clinical-reference.md#occlusion).
      const samples = scenarioTrace('normal', {
        rate_mL_h: rate,
        vtbi_mL: rate * 10,
        durationMs: onset + 70 * MIN,
        events: [{ atMs: onset, event: { type: 'occlusion' } }],
      });
      const transitions = runEngine(samples);
      const downstream = firstRaise(transitions, 'occlusion_downstream');
      expect(downstream).not.toBeNull();
      // The pump itself needs (limit − pressure) × compliance / rate; at 0.5 mL/h about 50 min.
      const physicalMs = ((300 - (8 + 0.25 * rate)) * 1.4e-3 * HOUR) / rate;
      expect((downstream as number) - onset).toBeLessThanOrEqual(physicalMs + 2 * 1000);
      if (rate <= 5) {
        const developing = firstRaise(transitions, 'occlusion_developing');
        expect(developing).not.toBeNull();
        // The early warning comes at least a third of the way before the pump's own alarm.
        expect((developing as number) - onset).toBeLessThan(((downstream as number) - onset) * 0.67);
      }
      expect(
        raisedRules(transitions).filter(
          (rule) => !rule.startsWith('occlusion') && rule !== 'unexpected_stop',
        ),
      ).toEqual([]);
    },
  );

  // At 250 mL/h a 5× resistance rise passes the occlusion limit: the pump alarms occlusion instead.
  it.each([25, 100, 150])('suspects infiltration at %s mL/h within 8 min of onset', (rate) => {
    const onset = 15 * MIN;
    const samples = scenarioTrace('infiltration', {
      rate_mL_h: rate,
      onsetMs: onset,
      durationMs: onset + 20 * MIN,
    });
    const transitions = runEngine(samples);
    const raised = firstRaise(transitions, 'infiltration_suspected');
    expect(raised).not.toBeNull();
    expect((raised as number) - onset).toBeLessThan(8 * MIN);
    // A fast rise past half the occlusion limit may also warn of a developing occlusion: both say "look".
    const others = raisedRules(transitions).filter((rule) => rule !== 'infiltration_suspected');
    expect(others.filter((rule) => rule !== 'occlusion_developing')).toEqual([]);
  });

  it('suspects infiltration that starts in the first minute, before the baseline is learned', () => {
    const samples = scenarioTrace('infiltration', { rate_mL_h: 100, onsetMs: 30_000, durationMs: 20 * MIN });
    expect(firstRaise(runEngine(samples), 'infiltration_suspected')).toBeLessThan(12 * MIN);
  });

  it('detects free flow at 3× within 3 min', () => {
    const samples = scenarioTrace('free_flow', { rate_mL_h: 50, onsetMs: 5 * MIN, durationMs: 15 * MIN });
    const transitions = runEngine(samples);
    expect((firstRaise(transitions, 'free_flow') as number) - 5 * MIN).toBeLessThan(3 * MIN);
  });

  it('reports a 30 % over-delivery as rate deviation within two windows, and not as free flow', () => {
    const samples = scenarioTrace('normal', {
      rate_mL_h: 80,
      durationMs: 45 * MIN,
      events: [{ atMs: 10 * MIN, event: { type: 'free_flow', factor: 1.3 } }],
    });
    const transitions = runEngine(samples);
    expect((firstRaise(transitions, 'rate_deviation') as number) - 10 * MIN).toBeLessThan(20 * MIN);
    expect(raisedRules(transitions)).toEqual(['rate_deviation']);
  });

  it('raises air in line at once, and no unexpected stop for the stop it explains', () => {
    const transitions = runEngine(scenarioTrace('air_in_line', { onsetMs: MIN, durationMs: 20 * MIN }));
    expect((firstRaise(transitions, 'air_in_line') as number) - MIN).toBeLessThanOrEqual(1000);
    expect(raisedRules(transitions)).toEqual(['air_in_line']);
  });

  it('raises battery low when the battery is worn down', () => {
    const transitions = runEngine(scenarioTrace('battery_low', { onsetMs: MIN, durationMs: 10 * MIN }));
    expect((firstRaise(transitions, 'battery_low') as number) - MIN).toBeLessThanOrEqual(1000);
  });

  it('warns near the end 30 min ahead, then reports completion', () => {
    const transitions = runEngine(
      scenarioTrace('normal', { rate_mL_h: 100, vtbi_mL: 100, durationMs: 70 * MIN }),
    );
    const nearEnd = firstRaise(transitions, 'near_end') as number;
    const complete = firstRaise(transitions, 'infusion_complete') as number;
    // 100 mL at ~100 mL/h (±5 %) completes after about 60 min.
    expect(complete - nearEnd).toBeGreaterThan(27 * MIN);
    expect(complete - nearEnd).toBeLessThan(33 * MIN);
    expect(raisedRules(transitions)).toEqual(['near_end', 'infusion_complete']);
  });

  it('raises unexpected stop on a paused infusion: medium after 2 min, escalated to high after 10', () => {
    const transitions = runEngine(scenarioTrace('paused', { durationMs: 12 * MIN }));
    const stop = transitions.filter((t) => t.alert.rule === 'unexpected_stop');
    expect(stop.map((t) => [t.type, t.alert.priority])).toEqual([
      ['raised', 'medium'],
      ['escalated', 'high'],
    ]);
    expect(new Set(stop.map((t) => t.alert.id)).size).toBe(1);
  });

  // About 600,000 simulated samples: seconds on an idle core, more on a busy CI machine.
  it('raises no alert in 168 pump-hours of normal infusions across 0.5–250 mL/h', {
    timeout: 120_000,
  }, () => {
    let samples = 0;
    const falseAlerts: string[] = [];
    for (const rate of NORMAL_RATES_mL_h) {
      for (let seed = 1; seed <= 8; seed += 1) {
        // 3 h of a 4 h program: the near-end warning at 3.5 h would be a true alert.
        const trace = scenarioTrace('normal', {
          rate_mL_h: rate,
          seed,
          durationMs: 3 * HOUR,
          intervalMs: 1000,
        });
        samples += trace.length;
        for (const rule of raisedRules(runEngine(trace))) falseAlerts.push(`${rule}@${rate}mL/h#${seed}`);
      }
    }
    expect(samples).toBeGreaterThanOrEqual(168 * 3600);
    expect(falseAlerts).toEqual([]);
  });
});
