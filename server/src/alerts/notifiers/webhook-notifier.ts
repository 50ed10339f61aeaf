import type { AlertNotification, DeliveryRecord, Notifier } from './notifier.js';
import { defaultRetryOptions, postWithRetry, type RetryOptions } from './post-with-retry.js';

export type WebhookOptions = RetryOptions;

export const defaultWebhookOptions: WebhookOptions = defaultRetryOptions;

/**
 * Generic webhook: POSTs the alert as JSON to every URL of the tier, retrying with exponential backoff
 * (post-with-retry.ts, shared with the SMS gateway channel).
 */
export class WebhookNotifier implements Notifier {
  constructor(private readonly options: WebhookOptions = defaultWebhookOptions) {}

  async notify(notification: AlertNotification): Promise<DeliveryRecord[]> {
    return Promise.all(notification.tier.webhooks.map((url) => this.deliver(url, notification)));
  }

  private async deliver(url: string, notification: AlertNotification): Promise<DeliveryRecord> {
    const body = JSON.stringify({
      type: 'pumpwatch.alert',
      reason: notification.reason,
      tier: { index: notification.tierIndex, name: notification.tier.name },
      alert: notification.alert,
    });
    const outcome = await postWithRetry(url, body, this.options);
    return { channel: 'webhook', target: url, ...outcome };
  }
}
