import { createHmac } from 'node:crypto';
import { postWithRetry, type RetryOptions } from '../../alerts/notifiers/post-with-retry.js';
import type { ContactStore } from '../contacts/ports.js';
import { type Channel, type PageMessage, type Receipt, reasonOf } from './channel.js';

export interface SmsWebhookOptions {
  contacts: Pick<ContactStore, 'contactOf'>;
  /** The gateway's URL (an SMS/voice provider's bridge). */
  url: string;
  /** Shared with the gateway: it checks `X-Pumpwatch-Signature` with it. */
  secret: string;
  retry: RetryOptions;
  now: () => number;
}

export const SIGNATURE_HEADER = 'x-pumpwatch-signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "${t}.${body}">`, as Stripe signs webhooks: the time is
 * signed too, so a receiver can refuse replays older than a few minutes (docs/paging.md#sms-gateway).
 */
export function signature(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** The documented JSON a gateway receives (docs/paging.md#sms-gateway). */
export function smsPagePayload(message: PageMessage, smsNumber: string) {
  const { alert } = message;
  return {
    type: 'pumpwatch.page' as const,
    alert,
    patient: alert.patient ?? null,
    therapy: alert.therapy ?? null,
    recipient: { username: message.recipient, sms: smsNumber },
    reason: message.reason,
    step: message.step,
    alertUrl: message.alertUrl,
    ...(message.acknowledgedBy ? { acknowledgedBy: message.acknowledgedBy } : {}),
    ...(message.pageId ? { pageId: message.pageId } : {}),
  };
}

/**
 * The webhook for SMS and voice gateways: one signed JSON POST per page to a person with an SMS number,
 * retried as the alert webhook is (post-with-retry.ts). The gateway texts or calls her and reports her
 * reply back at `POST /api/gateway/ack`.
 */
export class SmsWebhookChannel implements Channel {
  readonly name = 'webhook' as const;

  constructor(private readonly options: SmsWebhookOptions) {}

  async deliver(message: PageMessage): Promise<Receipt[]> {
    const { url, secret, retry, now } = this.options;
    const base = { channel: this.name, target: url, recipient: message.recipient };
    let smsNumber: string | null;
    try {
      smsNumber = (await this.options.contacts.contactOf(message.recipient))?.smsNumber ?? null;
    } catch (error) {
      return [{ ...base, status: 'failed', at: now(), attempts: 0, error: reasonOf(error) }];
    }
    if (!smsNumber) return [];
    const body = JSON.stringify(smsPagePayload(message, smsNumber));
    const outcome = await postWithRetry(url, body, retry, () => ({
      [SIGNATURE_HEADER]: signature(secret, body, Math.floor(now() / 1000)),
      ...(message.pageId ? { 'Idempotency-Key': message.pageId } : {}),
    }));
    return [
      {
        ...base,
        status: outcome.ok ? 'sent' : 'failed',
        at: now(),
        attempts: outcome.attempts,
        ...(outcome.status ? { statusCode: outcome.status } : {}),
        ...(outcome.error ? { error: outcome.error } : {}),
      },
    ];
  }
}
