import { Counter, Histogram, type Registry } from 'prom-client';
import type { AlertTransition } from '../alerts/lifecycle.js';
import type { Notifier } from '../alerts/notifiers/notifier.js';
import type { Channel, Receipt } from '../paging/channels/channel.js';
import { collectedCounter, collectedGauge, type SourceReader } from './collected.js';

/** Label values of `channel`: the paging channels by what they reach, and the config tiers' webhooks. */
const CHANNEL_LABEL: Record<Receipt['channel'], string> = {
  push: 'push',
  email: 'email',
  // The SMS/voice gateway's webhook (paging.smsWebhook); its receipts say `webhook`.
  webhook: 'sms_gateway',
};
const ESCALATION_WEBHOOK = 'escalation_webhook';

/** Alerts raised but not yet timed on every channel; bounded so a flood of alerts cannot grow it. */
const MAX_TRACKED_ALERTS = 20_000;

export interface NotificationMetrics {
  onTransition(transition: AlertTransition): void;
  instrumentChannel(channel: Channel): Channel;
  instrumentWebhooks(webhooks: Notifier): Notifier;
}

/**
 * Pages by channel and outcome, and raised → first page sent per channel. Counted where the paging
 * engine calls its channels (a decorator), so nothing in paging/ knows about metrics.
 */
export function registerNotificationMetrics(
  registry: Registry,
  read: SourceReader,
  now: () => number,
): NotificationMetrics {
  const outcomes = new Counter({
    name: 'pumpwatch_notifications_total',
    help: 'Notifications to people, by channel and outcome: sent, failed, skipped (nothing to send to), error (the channel threw).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const raisedToSent = new Histogram({
    name: 'pumpwatch_alert_raised_to_notification_seconds',
    help: 'From the engine raising an alert to the first page for it sent on a channel (server clock), by channel.',
    labelNames: ['channel'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_paging_pages_total',
    help: 'Pages the paging engine finished sending (one per escalation step reached).',
    samples: (sources) => [[{}, sources.paging().pagesSent]],
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_paging_receipts_total',
    help: 'Receipts of pages by outcome, every channel and webhook together; failed includes a person with nothing to send to.',
    labelNames: ['outcome'],
    samples: (sources) => {
      const stats = sources.paging();
      return [
        [{ outcome: 'sent' }, stats.receiptsSent],
        [{ outcome: 'failed' }, stats.receiptsFailed],
      ];
    },
  });
  collectedGauge({
    registry,
    read,
    name: 'pumpwatch_paging_pending',
    help: 'Alerts whose paging is under way (not yet acknowledged, resolved or exhausted).',
    samples: (sources) => [[{}, sources.paging().pending]],
  });
  collectedCounter({
    registry,
    read,
    name: 'pumpwatch_paging_nobody_reachable_total',
    help: 'nobody_reachable alarms raised: a care team whose alerts reach no one.',
    samples: (sources) => [[{}, sources.paging().nobodyReachable]],
  });

  /** Alert id → server time it was raised, and the channels already timed for it. */
  const raised = new Map<string, { at: number; timed: Set<string> }>();
  const timeFirstSent = (alertId: string, channel: string) => {
    const entry = raised.get(alertId);
    if (!entry || entry.timed.has(channel)) return;
    entry.timed.add(channel);
    raisedToSent.observe({ channel }, Math.max(0, now() - entry.at) / 1000);
  };

  return {
    onTransition({ type, alert, at }) {
      if (type === 'raised') {
        raised.set(alert.id, { at, timed: new Set() });
        // Map order is insertion order: the oldest goes first.
        if (raised.size > MAX_TRACKED_ALERTS) raised.delete(raised.keys().next().value as string);
      } else if (type === 'acknowledged' || type === 'resolved') raised.delete(alert.id);
    },
    instrumentChannel(channel) {
      const label = CHANNEL_LABEL[channel.name];
      return {
        name: channel.name,
        async deliver(message) {
          let receipts: Receipt[];
          try {
            receipts = await channel.deliver(message);
          } catch (error) {
            outcomes.inc({ channel: label, outcome: 'error' });
            throw error;
          }
          for (const receipt of receipts) outcomes.inc({ channel: label, outcome: receipt.status });
          if (message.reason === 'raised' && receipts.some((receipt) => receipt.status === 'sent'))
            timeFirstSent(message.alert.id, label);
          return receipts;
        },
      };
    },
    instrumentWebhooks(webhooks) {
      return {
        async notify(notification) {
          let records: Awaited<ReturnType<Notifier['notify']>>;
          try {
            records = await webhooks.notify(notification);
          } catch (error) {
            outcomes.inc({ channel: ESCALATION_WEBHOOK, outcome: 'error' });
            throw error;
          }
          for (const record of records)
            outcomes.inc({ channel: ESCALATION_WEBHOOK, outcome: record.ok ? 'sent' : 'failed' });
          if (notification.reason === 'raised' && records.some((record) => record.ok))
            timeFirstSent(notification.alert.id, ESCALATION_WEBHOOK);
          return records;
        },
      };
    },
  };
}
