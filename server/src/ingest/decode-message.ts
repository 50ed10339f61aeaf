import {
  type HubFloor,
  type HubStatus,
  hubFloorSchema,
  hubStatusSchema,
  type IngestRejectReason,
  MAX_PAYLOAD_BYTES,
  type PumpLink,
  parseTopic,
  pumpLinkSchema,
  type TelemetrySample,
  telemetrySampleSchema,
} from '@pumpwatch/protocol';

export type DecodedMessage =
  | { kind: 'telemetry'; hubId: string; pumpId: string; sample: TelemetrySample }
  | { kind: 'hubStatus'; hubId: string; status: HubStatus }
  | { kind: 'pumpLink'; hubId: string; pumpId: string; link: PumpLink }
  | { kind: 'hubFloor'; hubId: string; floor: HubFloor }
  /** The server's own confirmations, heard back through its `#` subscription. */
  | { kind: 'ownConfirmation' }
  | { kind: 'rejected'; reason: IngestRejectReason; detail: string };

/**
 * Pure trust boundary for MQTT: topic and payload in, a validated message or a reason out. It never
 * throws, so one bad message cannot stop the ones after it.
 */
export function decodeMessage(prefix: string, topic: string, payload: Uint8Array): DecodedMessage {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return { kind: 'rejected', reason: 'payload_too_large', detail: `${payload.byteLength} bytes` };
  }
  const parsedTopic = parseTopic(prefix, topic);
  if (parsedTopic.kind === 'unknown') return { kind: 'rejected', reason: 'unknown_topic', detail: topic };
  if (parsedTopic.kind === 'reserved') return { kind: 'rejected', reason: 'reserved_id', detail: topic };

  if (parsedTopic.kind === 'hubCommitted') return { kind: 'ownConfirmation' };

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch {
    return { kind: 'rejected', reason: 'invalid_json', detail: topic };
  }

  if (parsedTopic.kind === 'hubStatus') {
    const status = hubStatusSchema.safeParse(json);
    if (!status.success) return schemaInvalid(topic, status.error.issues);
    return { kind: 'hubStatus', hubId: parsedTopic.hubId, status: status.data };
  }
  if (parsedTopic.kind === 'hubFloor') {
    const floor = hubFloorSchema.safeParse(json);
    if (!floor.success) return schemaInvalid(topic, floor.error.issues);
    return { kind: 'hubFloor', hubId: parsedTopic.hubId, floor: floor.data };
  }
  if (parsedTopic.kind === 'pumpLink') {
    const link = pumpLinkSchema.safeParse(json);
    if (!link.success) return schemaInvalid(topic, link.error.issues);
    return { kind: 'pumpLink', hubId: parsedTopic.hubId, pumpId: parsedTopic.pumpId, link: link.data };
  }
  const sample = telemetrySampleSchema.safeParse(json);
  if (!sample.success) return schemaInvalid(topic, sample.error.issues);
  return { kind: 'telemetry', hubId: parsedTopic.hubId, pumpId: parsedTopic.pumpId, sample: sample.data };
}

function schemaInvalid(
  topic: string,
  issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>,
): DecodedMessage {
  const first = issues[0];
  const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
  return { kind: 'rejected', reason: 'schema_invalid', detail: `${topic} ${where}` };
}
