import { z } from 'zod';
import { alertSchema } from './alert.js';
import { pumpViewSchema } from './pump.js';

/** Frames the server sends on `/ws` (docs/api.md). Every client parses each one with this schema. */
export const snapshotFrameSchema = z.object({
  type: z.literal('snapshot'),
  pumps: z.array(pumpViewSchema),
  alerts: z.array(alertSchema),
  /** Server time when the snapshot was taken (epoch ms), for staleness shown in the browser. */
  serverTime: z.number().int().nonnegative().optional(),
});
export const alertFrameSchema = z.object({ type: z.literal('alert'), alert: alertSchema });
/**
 * Pumps that changed, each at most once a second, several to a frame: one write per client per flush
 * instead of one per pump, and one state update in the browser instead of one per pump.
 */
export const pumpsFrameSchema = z.object({ type: z.literal('pumps'), pumps: z.array(pumpViewSchema) });
/** Sent every few seconds so a client can tell a quiet system from a dead connection. */
export const heartbeatFrameSchema = z.object({ type: z.literal('heartbeat'), serverTime: z.number().int() });

export const serverFrameSchema = z.discriminatedUnion('type', [
  snapshotFrameSchema,
  alertFrameSchema,
  pumpsFrameSchema,
  heartbeatFrameSchema,
]);
export type SnapshotFrame = z.infer<typeof snapshotFrameSchema>;
export type AlertFrame = z.infer<typeof alertFrameSchema>;
export type PumpsFrame = z.infer<typeof pumpsFrameSchema>;
export type HeartbeatFrame = z.infer<typeof heartbeatFrameSchema>;
export type ServerFrame = z.infer<typeof serverFrameSchema>;
