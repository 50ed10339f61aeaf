import { z } from 'zod';

/** Pump delivery states (IEEE 11073 MDC_PUMP_INFUSING_STATUS, plus `complete` and `off`). */
export const pumpStates = ['infusing', 'paused', 'stopped', 'kvo', 'complete', 'standby', 'off'] as const;
export const pumpStateSchema = z.enum(pumpStates);
export type PumpState = z.infer<typeof pumpStateSchema>;

/**
 * Pump-native alarm flags that pumpwatch knows by name (docs/protocol.md lists their meaning and the
 * IDS annunciation type each comes from). Unknown flags are still accepted, so a pump alarm that we have
 * no name for reaches the `pump_alarm` rule instead of being dropped.
 */
export const knownAlarmFlags = [
  'occlusion',
  'upstream_occlusion',
  'air_in_line',
  'battery_low',
  'battery_empty',
  'near_end',
  'vtbi_complete',
  'reservoir_low',
  'reservoir_empty',
  'set_detached',
  'door_open',
  'temperature',
  'free_flow',
  'malfunction',
] as const;
export type KnownAlarmFlag = (typeof knownAlarmFlags)[number];

export const alarmFlagSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'alarm flags are lower_snake_case, at most 32 characters');

export const MAX_RATE_ML_H = 10_000;

/** A hub store's epoch (telemetry `epoch`, docs/protocol.md "Confirmation"). */
export const epochSchema = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'an epoch is 1–32 of A–Z a–z 0–9 _ -');

/** Telemetry sample, version 1. Field names carry units; never rename them (docs/protocol.md). */
export const telemetrySampleSchema = z.object({
  v: z.literal(1),
  seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  ts: z.number().int().positive().max(8.64e15),
  state: pumpStateSchema,
  rate_mL_h: z.number().finite().min(0).max(MAX_RATE_ML_H),
  vi_mL: z.number().finite().min(0),
  vtbi_mL: z.number().finite().min(0).optional(),
  pressure_mmHg: z.number().finite().min(-1000).max(5000).optional(),
  occlusionLimit_mmHg: z.number().finite().positive().max(5000).optional(),
  battery_pct: z.number().finite().min(0).max(100).optional(),
  onBattery: z.boolean().optional(),
  alarms: z.array(alarmFlagSchema).max(32).default([]),
  /** Hub clock when the gateway read the sample (epoch ms); with `ts` (pump clock) it reveals clock skew. */
  hubTs: z.number().int().positive().max(8.64e15).optional(),
  /**
   * The hub store's epoch: a new one each time a hub's data directory starts afresh (its seqs start
   * again at 0), so the server opens a new duplicate window instead of discarding the new seqs as
   * repeats. Absent from hubs whose store predates epochs: their counter never restarted.
   */
  epoch: epochSchema.optional(),
});
export type TelemetrySample = z.infer<typeof telemetrySampleSchema>;
export type TelemetrySampleInput = z.input<typeof telemetrySampleSchema>;

/** Retained hub status; the hub's MQTT Last Will publishes the same shape with `online: false`. */
export const hubStatusSchema = z.object({
  online: z.boolean(),
  ts: z.number().int().positive(),
  version: z.string().max(64).optional(),
  /** The gateway's durable outbox: samples waiting for the broker, and samples dropped over budget. */
  outbox: z
    .object({ depth: z.number().int().nonnegative(), dropped: z.number().int().nonnegative() })
    .optional(),
});

/**
 * Retained link state of one pump's connection to the hub (serial port or BLE), on
 * `{prefix}/hubs/{hubId}/pumps/{pumpId}/link`. A pump whose link is down shows as such, not as stale.
 */
export const pumpLinkSchema = z.object({
  state: z.enum(['up', 'down']),
  ts: z.number().int().positive(),
  /** Why the link is down (unplugged, no response, …), for people. */
  reason: z.string().max(200).optional(),
});
export type PumpLink = z.infer<typeof pumpLinkSchema>;
export type HubStatus = z.infer<typeof hubStatusSchema>;
