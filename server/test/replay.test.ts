import type { TelemetrySample } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { defaultEngineParams } from '../src/alerts/engine/params.js';
import { type AlertTransition, defaultEscalationPolicy } from '../src/alerts/lifecycle.js';
import { WardCore } from '../src/ward/ward-core.js';
import { scenarioTrace } from './support/traces.js';

const MIN = 60_000;

/** A mixed trace of several pumps, interleaved by event time as a server would receive it. */
function mixedTrace(): Array<{ pumpId: string; sample: TelemetrySample }> {
  const pumps = [
    {
      pumpId: 'occlusion',
      samples: scenarioTrace('occlusion', { rate_mL_h: 5, onsetMs: 5 * MIN, durationMs: 30 * MIN }),
    },
    {
      pumpId: 'infiltration',
      samples: scenarioTrace('infiltration', { onsetMs: 10 * MIN, durationMs: 30 * MIN }),
    },
    { pumpId: 'paused', samples: scenarioTrace('paused', { durationMs: 30 * MIN }) },
    {
      pumpId: 'complete',
      samples: scenarioTrace('complete', { rate_mL_h: 250, vtbi_mL: 100, durationMs: 30 * MIN }),
    },
  ];
  return pumps
    .flatMap(({ pumpId, samples }) => samples.map((sample) => ({ pumpId, sample })))
    .sort((a, b) => a.sample.ts - b.sample.ts);
}

/**
 * Replays the trace with the server clock running `speed` times slower than event time (1× = real
 * time, 1000× = a 30-minute trace in 1.8 s). Rules use event time only, so the alerts must not differ.
 */
function replay(
  speed: number,
): Array<Pick<AlertTransition, 'type'> & { id: string; priority: string; raisedAt: number }> {
  const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
  const trace = mixedTrace();
  const firstTs = trace[0]?.sample.ts ?? 0;
  const out = [];
  for (const { pumpId, sample } of trace) {
    const serverNow = 5_000_000_000_000 + (sample.ts - firstTs) / speed;
    const outcome = ward.onSample('hub', pumpId, sample, serverNow);
    for (const transition of 'transitions' in outcome ? outcome.transitions : []) {
      out.push({
        type: transition.type,
        id: transition.alert.id,
        priority: transition.alert.priority,
        raisedAt: transition.alert.raisedAt,
      });
    }
  }
  return out;
}

describe('replay determinism', () => {
  it('raises the same alerts at the same event times whether replayed at 1× or 1000×', () => {
    const realTime = replay(1);
    expect(realTime.length).toBeGreaterThan(3);
    expect(replay(1000)).toEqual(realTime);
  });
});
