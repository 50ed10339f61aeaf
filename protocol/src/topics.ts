import { ID_PATTERN, isReservedId, isValidId } from './ids.js';

export const DEFAULT_TOPIC_PREFIX = 'pumpwatch/v1';

export function hubStatusTopic(prefix: string, hubId: string): string {
  return `${prefix}/hubs/${hubId}/status`;
}

export function telemetryTopic(prefix: string, hubId: string, pumpId: string): string {
  return `${prefix}/hubs/${hubId}/pumps/${pumpId}/telemetry`;
}

/**
 * What the server subscribes to: everything under the prefix, so a message on a topic it does not know
 * is seen, counted and logged as `unknown_topic` rather than vanishing unnoticed.
 */
export function serverSubscriptions(prefix: string): string[] {
  return [`${prefix}/#`];
}

export function pumpLinkTopic(prefix: string, hubId: string, pumpId: string): string {
  return `${prefix}/hubs/${hubId}/pumps/${pumpId}/link`;
}

export type ParsedTopic =
  | { kind: 'hubStatus'; hubId: string }
  | { kind: 'telemetry'; hubId: string; pumpId: string }
  | { kind: 'pumpLink'; hubId: string; pumpId: string }
  /** The server's own confirmation to a hub (confirmation.ts): it hears itself, and ignores it. */
  | { kind: 'hubCommitted'; hubId: string }
  | { kind: 'hubFloor'; hubId: string }
  /** A topic of the right shape whose hub or pump id is a reserved name (ids.ts): refused, not unknown. */
  | { kind: 'reserved'; id: string }
  | { kind: 'unknown' };

/** Splits a topic under `prefix`; anything else, including ids that break the id pattern, is unknown. */
export function parseTopic(prefix: string, topic: string): ParsedTopic {
  if (!topic.startsWith(`${prefix}/`)) return { kind: 'unknown' };
  const parts = topic.slice(prefix.length + 1).split('/');
  if (parts[0] !== 'hubs') return { kind: 'unknown' };
  const reserved = [parts[1], parts[3]].find((id) => id !== undefined && isReservedName(id));
  if (reserved !== undefined) return { kind: 'reserved', id: reserved };
  const hubId = parts[1];
  if (hubId === undefined || !isValidId(hubId)) return { kind: 'unknown' };
  if (parts.length === 3 && parts[2] === 'status') return { kind: 'hubStatus', hubId };
  if (parts.length === 3 && parts[2] === 'committed') return { kind: 'hubCommitted', hubId };
  if (parts.length === 3 && parts[2] === 'floor') return { kind: 'hubFloor', hubId };
  const pumpId = parts[3];
  if (parts.length === 5 && parts[2] === 'pumps' && pumpId && isValidId(pumpId)) {
    if (parts[4] === 'telemetry') return { kind: 'telemetry', hubId, pumpId };
    if (parts[4] === 'link') return { kind: 'pumpLink', hubId, pumpId };
  }
  return { kind: 'unknown' };
}

function isReservedName(part: string): boolean {
  return ID_PATTERN.test(part) && isReservedId(part);
}
