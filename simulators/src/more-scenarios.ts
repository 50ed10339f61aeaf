import { MAX_RATE_ML_H } from '@pumpwatch/protocol';
import type { ScenarioEntry } from './scenario-types.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * Scenarios added for issue 7 so that every alert rule has a story that raises it: the realistic
 * occlusion (the demo's `occlusion` uses a stiff line), under-delivery, an unexpected stop, the end of an
 * infusion, an offline hub, an order mismatch, clock skew and a pump-native alarm. Same conventions as
 * scenarios.ts: plain data, defaults filled in, VTBI 4 h at the rate unless given.
 */
export const moreScenarioNames = [
  'downstream_occlusion',
  'rate_deviation',
  'unexpected_stop',
  'near_end',
  'hub_offline',
  'order_mismatch',
  'clock_skew',
  'upstream_occlusion',
] as const;
export type MoreScenarioName = (typeof moreScenarioNames)[number];

/**
 * How far ahead of the hub the `clock_skew` pump's clock runs: well past the 30 s rule
 * (docs/clinical-reference.md#rule-catalog).
 */
export const CLOCK_SKEW_OFFSET_MS = 2 * MINUTE;
/** The `order_mismatch` pump is programmed at this multiple of the order: the classic tenfold error. */
export const ORDER_MISMATCH_FACTOR = 10;
/** The `rate_deviation` pump delivers this fraction of its programmed rate (30 % under). */
export const RATE_DEVIATION_FACTOR = 0.7;

export const moreScenarioBuilders: Record<MoreScenarioName, ScenarioEntry> = {
  downstream_occlusion: {
    defaults: { rate_mL_h: 5, onsetMs: 2 * MINUTE },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        'Downstream occlusion at onset on a line of realistic compliance (1.4e-3 mL/mmHg): pressure climbs ' +
        'at rate / compliance, ~50 min to the 300 mmHg limit at 0.5 mL/h, ~5 min at 5 mL/h, ~3 s at ' +
        '100 mL/h (docs/clinical-reference.md#occlusion); the pump then alarms and stops.',
      program: { rate_mL_h, vtbi_mL },
      events: [{ atMs: onsetMs, event: { type: 'occlusion' } }],
    }),
  },
  rate_deviation: {
    defaults: { rate_mL_h: 80, onsetMs: 10 * MINUTE },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        `From onset the mechanism delivers ${RATE_DEVIATION_FACTOR}× the programmed rate (a worn cassette ` +
        'or a partly closed clamp) without alarming; the volume counter shows the shortfall.',
      program: { rate_mL_h, vtbi_mL },
      events: [{ atMs: onsetMs, event: { type: 'rate_error', factor: RATE_DEVIATION_FACTOR } }],
    }),
  },
  unexpected_stop: {
    defaults: { rate_mL_h: 100, onsetMs: 5 * MINUTE },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        'Paused at the pump at onset (the patient paused it and forgot) with most of the program to go; ' +
        'no pump alarm.',
      program: { rate_mL_h, vtbi_mL },
      events: [{ atMs: onsetMs, event: { type: 'pause' } }],
    }),
  },
  near_end: {
    defaults: { rate_mL_h: 100, onsetMs: 5 * MINUTE },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        'Starts so that 30 min of infusion remain at onset (the near-end warning point), then completes ' +
        'about 30 min later and drops to KVO.',
      program: { rate_mL_h, vtbi_mL },
      initialVi_mL: Math.max(0, vtbi_mL - (rate_mL_h * (onsetMs + 30 * MINUTE)) / HOUR),
      events: [],
    }),
  },
  hub_offline: {
    defaults: { rate_mL_h: 100, onsetMs: 60_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        'The home hub vanishes at onset (power cut): its MQTT connection drops without DISCONNECT, the ' +
        'broker publishes its Last Will, and nothing more arrives while the pump keeps infusing.',
      program: { rate_mL_h, vtbi_mL },
      events: [],
      hub: { offlineAtMs: onsetMs },
    }),
  },
  order_mismatch: {
    defaults: { rate_mL_h: 5, onsetMs: 60_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        `Ordered at the given rate and programmed to match; at onset it is re-programmed at ` +
        `${ORDER_MISMATCH_FACTOR}× the order (a decimal-point error). The runner sets the order first.`,
      program: { rate_mL_h, vtbi_mL },
      order: { drug: 'simulated order', rate_mL_h, vtbi_mL, tolerance_pct: 10 },
      events: [
        {
          atMs: onsetMs,
          event: { type: 'set_rate', rate_mL_h: Math.min(MAX_RATE_ML_H, rate_mL_h * ORDER_MISMATCH_FACTOR) },
        },
      ],
    }),
  },
  clock_skew: {
    defaults: { rate_mL_h: 100, onsetMs: 0 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        `From onset the pump's clock runs ${CLOCK_SKEW_OFFSET_MS / 1000} s ahead of the hub's (a reset ` +
        'real-time clock): sample `ts` minus `hubTs` shows it.',
      program: { rate_mL_h, vtbi_mL },
      events: [{ atMs: onsetMs, event: { type: 'clock_offset', offsetMs: CLOCK_SKEW_OFFSET_MS } }],
    }),
  },
  upstream_occlusion: {
    defaults: { rate_mL_h: 100, onsetMs: 60_000 },
    build: ({ rate_mL_h, vtbi_mL, onsetMs }) => ({
      description:
        'The bag side closes at onset (clamp left shut, empty bag): the pump raises its native ' +
        '`upstream_occlusion` alarm, which no dedicated rule covers (pump_alarm), and stops.',
      program: { rate_mL_h, vtbi_mL },
      events: [{ atMs: onsetMs, event: { type: 'pump_alarm', flag: 'upstream_occlusion', stops: true } }],
    }),
  },
};
