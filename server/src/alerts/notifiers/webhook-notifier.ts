import pRetry, { AbortError } from 'p-retry';
import type { AlertNotification, DeliveryRecord, Notifier } from './notifier.js';

export interface WebhookOptions {
  /** Attempts per delivery, the first included. */
  attempts: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

export const defaultWebhookOptions: WebhookOptions = {
  attempts: 5,
  minBackoffMs: 500,
  maxBackoffMs: 30_000,
  timeoutMs: 5_000,
};

/**
 * Generic webhook: POSTs the alert as JSON to every URL of the tier, retrying with exponential backoff
 * (p-retry) on network errors and 5xx/429; a 4xx other than 429 will not get better and is not retried.
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
    let attempts = 0;
    let status: number | undefined;
    try {
      await pRetry(
        async () => {
          attempts += 1;
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: AbortSignal.timeout(this.options.timeoutMs),
          });
          status = response.status;
          await response.body?.cancel();
          if (response.ok) return;
          const error = new Error(`HTTP ${response.status}`);
          if (response.status >= 400 && response.status < 500 && response.status !== 429)
            throw new AbortError(error);
          throw error;
        },
        {
          retries: this.options.attempts - 1,
          minTimeout: this.options.minBackoffMs,
          maxTimeout: this.options.maxBackoffMs,
          factor: 2,
        },
      );
      return { channel: 'webhook', target: url, ok: true, attempts, ...(status ? { status } : {}) };
    } catch (error) {
      return {
        channel: 'webhook',
        target: url,
        ok: false,
        attempts,
        ...(status ? { status } : {}),
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }
}
