/**
 * Why the server rejected an MQTT message. Each reason is counted and shown in `GET /api/health`
 * (docs/protocol.md, "Bad input").
 */
export const ingestRejectReasons = [
  'payload_too_large',
  'invalid_json',
  'schema_invalid',
  'unknown_topic',
  'reserved_id',
  'pump_not_owned',
] as const;
export type IngestRejectReason = (typeof ingestRejectReasons)[number];

/** Largest MQTT payload the server parses; larger ones are rejected unread. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
