import { z } from 'zod';
import { idSchema } from './ids.js';
import { epochSchema } from './telemetry.js';

/**
 * End-to-end confirmation (docs/protocol.md, "Confirmation"). An MQTT PUBACK only says the next hop has
 * a message; only the server can say a sample is committed to its store. It tells each hub, per pump,
 * how far it has committed, and the hub keeps every sample until then.
 */

/** Server → hub, retained, QoS 1: how far the server has committed each of this hub's pumps. */
export function hubCommittedTopic(prefix: string, hubId: string): string {
  return `${prefix}/hubs/${hubId}/committed`;
}

/** Hub → server, QoS 1, not retained: what the hub still holds, so the server can pass a gap. */
export function hubFloorTopic(prefix: string, hubId: string): string {
  return `${prefix}/hubs/${hubId}/floor`;
}

const seqSchema = z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER);

/** One pump's watermark: every sample of `epoch` with a seq ≤ `seq` is committed (or settled). */
export const pumpWatermarkSchema = z.object({
  seq: seqSchema,
  /** Absent for a hub store that predates epochs. */
  epoch: epochSchema.optional(),
});
export type PumpWatermark = z.infer<typeof pumpWatermarkSchema>;

export const hubCommittedSchema = z.object({
  v: z.literal(1),
  /**
   * A new id at every server start. A hub that sees it change re-sends what it holds above the
   * watermark: what the old process had taken but not committed died with it.
   */
  run: z.string().min(1).max(64),
  ts: z.number().int().positive(),
  pumps: z.record(idSchema, pumpWatermarkSchema),
});
export type HubCommitted = z.infer<typeof hubCommittedSchema>;

/**
 * For each pump, the lowest seq the hub still holds (or its next seq when it holds none): the hub will
 * never send a seq below it again (confirmed, or dropped over its disk budget and counted).
 */
export const hubFloorSchema = z.object({
  v: z.literal(1),
  ts: z.number().int().positive(),
  epoch: epochSchema.optional(),
  pumps: z.record(idSchema, z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)),
});
export type HubFloor = z.infer<typeof hubFloorSchema>;
