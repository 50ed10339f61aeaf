import { describe, expect, it } from 'vitest';
import type { AlertTransition } from '../src/alerts/lifecycle.js';
import type { MetricSources } from '../src/metrics/ports.js';
import { createServerMetrics } from '../src/metrics/server-metrics.js';
import { forwarderLagSeconds } from '../src/metrics/store-metrics.js';
import type { Channel, PageMessage, Receipt } from '../src/paging/channels/channel.js';
import { EventBus } from '../src/ward/event-bus.js';
import type { WardEvents } from '../src/ward/ward-events.js';
import { alert } from './fixtures.js';
import { parseExposition, sampleValue } from './metrics-exposition.js';

/** Sources with nothing in them: these tests are about what the decorators and the bus listener count. */
const quietSources: MetricSources = {
  ingest: () => ({ accepted: 0, duplicates: 0, hubStatuses: 0, rejected: {}, handlerErrors: 0 }),
  openAlerts: () => [],
  pumps: () => [],
  websocket: () => ({ clients: 0, dropped: {}, rejected: 0 }),
  mqttConnected: () => false,
  storeComponents: async () => ({ store: { ok: true, pendingSamples: 0 } }),
  paging: () => ({ pagesSent: 0, receiptsSent: 0, receiptsFailed: 0, pending: 0, nobodyReachable: 0 }),
  errors: () => ({ internal: 0, alertTransitions: 0 }),
};

function fixedChannel(name: Channel['name'], statuses: Receipt['status'][]): Channel {
  return {
    name,
    deliver: async (message) =>
      statuses.map((status) => ({
        channel: name,
        target: 'device',
        recipient: message.recipient,
        status,
        at: 0,
        attempts: 1,
      })),
  };
}

function setUp() {
  let clock = 1_000_000;
  const metrics = createServerMetrics({ now: () => clock });
  const bus = new EventBus<WardEvents>((owner, error) => {
    throw new Error(`${owner}: ${String(error)}`);
  });
  metrics.watch(bus, quietSources);
  const raise = (alertId: string) => {
    const transition: AlertTransition = {
      type: 'raised',
      alert: alert({ id: alertId, rule: 'occlusion_downstream', priority: 'high' }),
      at: clock,
      actor: 'engine',
    };
    bus.emit('alert', transition);
    return transition.alert;
  };
  const page = (raised: ReturnType<typeof raise>, reason: PageMessage['reason'] = 'raised'): PageMessage => ({
    alert: raised,
    recipient: 'nurse-a',
    reason,
    step: 0,
    alertUrl: 'http://x/#/alerts/1',
  });
  return {
    metrics,
    raise,
    page,
    advance: (ms: number) => {
      clock += ms;
    },
    samples: async () => parseExposition(await metrics.render()),
  };
}

describe('notification metrics', () => {
  it('counts every receipt by channel and outcome, and a channel that threw as error', async () => {
    const { metrics, raise, page, samples } = setUp();
    const push = metrics.instrumentChannel(fixedChannel('push', ['sent', 'failed', 'sent']));
    const sms = metrics.instrumentChannel(fixedChannel('webhook', ['skipped']));
    const broken = metrics.instrumentChannel({
      name: 'email',
      deliver: async () => {
        throw new Error('smtp down');
      },
    });
    const raised = raise('a-1');
    await push.deliver(page(raised));
    await sms.deliver(page(raised));
    await expect(broken.deliver(page(raised))).rejects.toThrow('smtp down');
    const exposed = await samples();
    const count = (channel: string, outcome: string) =>
      sampleValue(exposed, 'pumpwatch_notifications_total', { channel, outcome });
    expect(count('push', 'sent')).toBe(2);
    expect(count('push', 'failed')).toBe(1);
    expect(count('sms_gateway', 'skipped')).toBe(1);
    expect(count('email', 'error')).toBe(1);
  });

  it('times raised → first page sent once per alert and channel, not repeats or acknowledgements', async () => {
    const { metrics, raise, page, advance, samples } = setUp();
    const push = metrics.instrumentChannel(fixedChannel('push', ['sent']));
    const raised = raise('a-2');
    advance(1500);
    await push.deliver(page(raised));
    advance(60_000);
    await push.deliver(page(raised, 'raised'));
    await push.deliver(page(raised, 'repeated'));
    const exposed = await samples();
    const histogram = 'pumpwatch_alert_raised_to_notification_seconds';
    expect(sampleValue(exposed, `${histogram}_count`, { channel: 'push' })).toBe(1);
    expect(sampleValue(exposed, `${histogram}_sum`, { channel: 'push' })).toBe(1.5);
    expect(sampleValue(exposed, `${histogram}_bucket`, { channel: 'push', le: '1' })).toBe(0);
    expect(sampleValue(exposed, `${histogram}_bucket`, { channel: 'push', le: '2' })).toBe(1);
  });

  it('does not time a page that reached nobody, and times the escalation webhooks apart', async () => {
    const { metrics, raise, advance, samples } = setUp();
    const failing = metrics.instrumentChannel(fixedChannel('push', ['failed']));
    const webhooks = metrics.instrumentWebhooks({
      notify: async () => [
        { channel: 'webhook', target: 'https://hooks.example', ok: true, attempts: 1 },
        { channel: 'webhook', target: 'https://down.example', ok: false, attempts: 5 },
      ],
    });
    const raised = raise('a-3');
    advance(250);
    await failing.deliver({ alert: raised, recipient: 'n', reason: 'raised', step: 0, alertUrl: 'u' });
    await webhooks.notify({
      alert: raised,
      reason: 'raised',
      tierIndex: 0,
      tier: { name: 't', webhooks: [] },
    });
    const exposed = await samples();
    const histogram = 'pumpwatch_alert_raised_to_notification_seconds_count';
    expect(sampleValue(exposed, histogram, { channel: 'push' })).toBeUndefined();
    expect(sampleValue(exposed, histogram, { channel: 'escalation_webhook' })).toBe(1);
    const outcome = (value: string) =>
      sampleValue(exposed, 'pumpwatch_notifications_total', {
        channel: 'escalation_webhook',
        outcome: value,
      });
    expect([outcome('sent'), outcome('failed')]).toEqual([1, 1]);
  });

  it('shows no forwarder figures without InfluxDB', async () => {
    const names = new Set((await setUp().samples()).map((one) => one.name));
    expect(names).toContain('pumpwatch_store_pending_samples');
    expect([...names].filter((name) => name.startsWith('pumpwatch_forwarder_'))).toEqual([]);
  });
});

describe('forwarder lag', () => {
  it('is 0 with nothing waiting, else the seconds since the last write or since failing', () => {
    expect(forwarderLagSeconds({ ok: true, backlog: 0, lastWriteAt: 1000 }, 91_000)).toBe(0);
    expect(forwarderLagSeconds({ ok: true, backlog: 12, lastWriteAt: 1000 }, 91_000)).toBe(90);
    expect(
      forwarderLagSeconds({ ok: false, backlog: 12, lastWriteAt: null, failingSince: 31_000 }, 91_000),
    ).toBe(60);
  });
});
