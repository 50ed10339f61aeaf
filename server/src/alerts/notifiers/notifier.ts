import type { Alert } from '@pumpwatch/protocol';

/** One on-call tier from config: who is notified, in escalation order (tier 0 first). */
export interface OnCallTier {
  name: string;
  webhooks: string[];
}

/** Why a tier is being told about an alert. */
export type NotificationReason = 'raised' | 'escalated' | 'renotified';

export interface AlertNotification {
  alert: Alert;
  reason: NotificationReason;
  tierIndex: number;
  tier: OnCallTier;
}

/** What one delivery attempt series came to; recorded as a `notified` event on the alert. */
export interface DeliveryRecord {
  channel: string;
  target: string;
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/**
 * Port for telling people about alerts outside the dashboard (webhooks today; pagers or SMS gateways
 * behind the same port later). The WebSocket push to dashboards is always on and needs no port.
 */
export interface Notifier {
  notify(notification: AlertNotification): Promise<DeliveryRecord[]>;
}
