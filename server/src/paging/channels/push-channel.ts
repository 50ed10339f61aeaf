import { createHash } from 'node:crypto';
import type { Priority } from '@pumpwatch/protocol';
import webpush from 'web-push';
import type { AckTokens } from '../ack-tokens.js';
import type { ContactStore, PushDevice } from '../contacts/ports.js';
import { asksForAction, type Channel, type PageMessage, type Receipt, reasonOf } from './channel.js';
import { pushPayload, urgencyOf } from './push-payload.js';
import type { VapidKeys } from './vapid-keys.js';

export interface PushChannelOptions {
  contacts: Pick<ContactStore, 'devicesOf' | 'deleteDevice' | 'putDevice'>;
  vapid: VapidKeys;
  /** `mailto:` or `https:` contact for push services (RFC 8292 `sub`). */
  subject: string;
  /** How long a push service keeps an undelivered page, per priority. */
  ttlSeconds: Record<Priority, number>;
  ackTokens: Pick<AckTokens, 'issue'>;
  now: () => number;
  /** Per request; a push service that does not answer within it is a failed receipt. */
  timeoutMs?: number;
}

/**
 * Web Push (RFC 8030/8291/8292) to every device the person subscribed, through the `web-push` library:
 * it encrypts the payload to the browser's keys and signs the VAPID JWT; the request is sent with fetch
 * so a send has a timeout and a loopback endpoint can stand in for a push service in tests. A device
 * the push service says is gone (404/410) is removed.
 */
export class PushChannel implements Channel {
  readonly name = 'push' as const;

  constructor(private readonly options: PushChannelOptions) {}

  async deliver(message: PageMessage): Promise<Receipt[]> {
    let devices: PushDevice[];
    try {
      devices = await this.options.contacts.devicesOf(message.recipient);
    } catch (error) {
      return [this.receipt(message, '(devices)', 'failed', 0, { error: reasonOf(error) })];
    }
    if (devices.length === 0) return [];
    let ackToken: string | undefined;
    try {
      if (asksForAction(message.reason))
        ackToken = (await this.options.ackTokens.issue(message.recipient, message.alert.id)).token;
    } catch (error) {
      return devices.map((device) =>
        this.receipt(message, device.label, 'failed', 0, { error: `ack token: ${reasonOf(error)}` }),
      );
    }
    const body = JSON.stringify(pushPayload(message, ackToken));
    return Promise.all(devices.map((device) => this.send(message, device, body)));
  }

  private async send(message: PageMessage, device: PushDevice, payload: string): Promise<Receipt> {
    const { alert, reason } = message;
    let statusCode: number | undefined;
    try {
      const request = webpush.generateRequestDetails(
        { endpoint: device.endpoint, keys: device.keys },
        payload,
        {
          vapidDetails: {
            subject: this.options.subject,
            publicKey: this.options.vapid.publicKey,
            privateKey: this.options.vapid.privateKey,
          },
          TTL: this.options.ttlSeconds[alert.priority],
          urgency: urgencyOf(alert.priority, reason),
          // A push service keeps one undelivered message per topic: a phone that was off gets the
          // alert's latest state, not its history (RFC 8030 §5.4; at most 32 base64url characters).
          topic: createHash('sha256').update(alert.id).digest('base64url').slice(0, 32),
          contentEncoding: 'aes128gcm',
        },
      );
      const response = await fetch(request.endpoint, {
        method: request.method,
        headers: request.headers as Record<string, string>,
        body: request.body as Buffer,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        redirect: 'error',
      });
      statusCode = response.status;
      await response.body?.cancel();
      if (response.ok) {
        await this.options.contacts
          .putDevice({ ...device, lastSuccessAt: this.options.now() })
          .catch(() => undefined);
        return this.receipt(message, device.label, 'sent', 1, { statusCode });
      }
      if (statusCode === 404 || statusCode === 410) {
        // RFC 8030 §7.3: the subscription has expired or was unsubscribed; it will never work again.
        const removed = await this.options.contacts.deleteDevice(device.id).catch(() => false);
        return this.receipt(message, device.label, 'failed', 1, {
          statusCode,
          error: `subscription gone (${statusCode})${removed ? ': device removed' : ''}`,
        });
      }
      return this.receipt(message, device.label, 'failed', 1, {
        statusCode,
        error: `push service answered ${statusCode}`,
      });
    } catch (error) {
      return this.receipt(message, device.label, 'failed', 1, {
        ...(statusCode === undefined ? {} : { statusCode }),
        error: reasonOf(error),
      });
    }
  }

  private receipt(
    message: PageMessage,
    target: string,
    status: Receipt['status'],
    attempts: number,
    extra: { statusCode?: number; error?: string },
  ): Receipt {
    return {
      channel: this.name,
      target,
      recipient: message.recipient,
      status,
      at: this.options.now(),
      attempts,
      ...extra,
    };
  }
}
