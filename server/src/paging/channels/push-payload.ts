/** Builds the Web Push payload; its schema is shared with the service worker (protocol/src/push.ts). */
import type { Priority, PushPayload } from '@pumpwatch/protocol';
import { asksForAction, type PageMessage, type PageReason } from './channel.js';
import { pageText } from './page-text.js';

export function pushPayload(message: PageMessage, ackToken: string | undefined): PushPayload {
  const { alert, reason } = message;
  const text = pageText(message);
  const high = alert.priority === 'high' && asksForAction(reason);
  const acknowledgedBy = message.acknowledgedBy ?? alert.acknowledgedBy ?? undefined;
  return {
    alertId: alert.id,
    title: text.title,
    body: text.body,
    tag: alert.id,
    priority: alert.priority,
    // IEC 60601-1-8 high: stays on screen and sounds again on each update until someone acts.
    requireInteraction: high,
    renotify: high,
    reason,
    ...(ackToken && asksForAction(reason)
      ? { ackToken, ackUrl: `/api/alerts/${encodeURIComponent(alert.id)}/ack-by-token` }
      : {}),
    openUrl: message.alertUrl,
    ...(reason === 'acknowledged' && acknowledgedBy ? { acknowledgedBy } : {}),
  };
}

/** RFC 8030 urgency: a high page wakes a dozing phone at once, a low one may wait for the radio. */
export const URGENCY: Record<Priority, 'high' | 'normal' | 'low'> = {
  high: 'high',
  medium: 'normal',
  low: 'low',
};

/** Updates of an alert the person has already been told about need not wake anyone. */
export function urgencyOf(priority: Priority, reason: PageReason): 'high' | 'normal' | 'low' {
  return asksForAction(reason) ? URGENCY[priority] : 'normal';
}
