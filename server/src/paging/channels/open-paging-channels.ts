import type { AuditLog } from '../../auth/audit-log.js';
import { AckTokens } from '../ack-tokens.js';
import { ContactService } from '../contacts/contact-service.js';
import type { ContactStore } from '../contacts/ports.js';
import type { PushReceiptReport } from '../routes.js';
import type { Channel } from './channel.js';
import type { PagingConfig } from './config.js';
import { EmailChannel } from './email-channel.js';
import { PushChannel } from './push-channel.js';
import { SmsWebhookChannel } from './sms-webhook-channel.js';
import { openVapidKeys, type VapidKeys } from './vapid-keys.js';

/** What the paging engine and the routes need of the channels, built once by the composition root. */
export interface PagingChannels {
  contacts: ContactService;
  vapid: VapidKeys;
  ackTokens: AckTokens;
  /** Push always; email when `paging.email` is set; the SMS gateway when `paging.smsWebhook` is. */
  channels: Channel[];
  byName: Partial<Record<Channel['name'], Channel>>;
  /** Called with each receipt a service worker reports (`POST /api/push/receipts`); the engine adds its own. */
  readonly receiptListeners: Array<(report: PushReceiptReport) => void | Promise<void>>;
  close(): void;
}

/** Reads (or makes, at first start) the VAPID pair and ack-token key, and builds the configured channels. */
export async function openPagingChannels(deps: {
  config: PagingConfig;
  store: ContactStore;
  audit: AuditLog;
  now: () => number;
}): Promise<PagingChannels> {
  const { config, store, now } = deps;
  const vapid = await openVapidKeys(store);
  const ackTokens = await AckTokens.open(store, now);
  const push = new PushChannel({
    contacts: store,
    vapid,
    subject: config.push.subject,
    ttlSeconds: config.push.ttlSeconds,
    ackTokens,
    now,
  });
  const email = config.email ? new EmailChannel({ contacts: store, smtp: config.email, now }) : undefined;
  const sms = config.smsWebhook
    ? new SmsWebhookChannel({
        contacts: store,
        url: config.smsWebhook.url,
        secret: config.smsWebhook.secret,
        retry: config.smsWebhook.retry,
        now,
      })
    : undefined;
  const channels: Channel[] = [push, ...(email ? [email] : []), ...(sms ? [sms] : [])];
  return {
    contacts: new ContactService({ store, audit: deps.audit, now }),
    vapid,
    ackTokens,
    channels,
    byName: Object.fromEntries(channels.map((channel) => [channel.name, channel])),
    receiptListeners: [],
    close: () => email?.close(),
  };
}

/** The dashboard's link to one alert (`paging.publicUrl`, or the server's own URL). */
export function alertUrl(baseUrl: string, alertId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/#/alerts/${encodeURIComponent(alertId)}`;
}
