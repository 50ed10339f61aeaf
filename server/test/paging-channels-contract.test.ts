import { afterEach, describe, expect, it } from 'vitest';
import { AckTokens } from '../src/paging/ack-tokens.js';
import type { Channel, PageMessage } from '../src/paging/channels/channel.js';
import { EmailChannel } from '../src/paging/channels/email-channel.js';
import { PushChannel } from '../src/paging/channels/push-channel.js';
import { SmsWebhookChannel } from '../src/paging/channels/sms-webhook-channel.js';
import { openVapidKeys } from '../src/paging/channels/vapid-keys.js';
import type { ContactStore } from '../src/paging/contacts/ports.js';
import { MemoryContactStore, newContactData } from '../src/store/memory/contact-store.js';
import { MemoryLifecycle } from '../src/store/memory/lifecycle.js';
import { alert } from './fixtures.js';
import { browserKeys, fakeHttpEndpoint, fakeSmtpServer } from './support/paging-fakes.js';

const NOW = 1_800_000_000_000;
const PATIENT = 'Zelda Quillfeather';
const DRUG = 'Vancomycin 1 g';

function message(recipient: string): PageMessage {
  return {
    alert: alert({
      id: 'PUMP-0004.occlusion_downstream.118',
      pumpId: 'PUMP-0004',
      patient: { id: 'pat_1', displayName: PATIENT, teamId: 'team_1' },
      therapy: { id: 'thr_1', drug: DRUG },
      message: 'Downstream occlusion: flow blocked.',
    }),
    recipient,
    reason: 'raised',
    step: 0,
    alertUrl: 'https://pumpwatch.example.org/#/alerts/PUMP-0004.occlusion_downstream.118',
  };
}

/** One channel adapter against its own loopback fake endpoint. */
interface ChannelRig {
  channel: Channel;
  /** Gives `username` `count` addresses on this channel (devices; one email; one number). */
  addAddresses(username: string, count: number): Promise<void>;
  /** How many deliveries the fake endpoint accepted. */
  delivered(): number;
  /** From now on the endpoint refuses (or is gone). */
  breakEndpoint(): Promise<void>;
  close(): Promise<void>;
}

interface ChannelFactory {
  name: Channel['name'];
  /** Addresses one person can have on this channel. */
  maxAddresses: number;
  open(store: ContactStore): Promise<ChannelRig>;
}

function contactFor(username: string, patch: { email?: string; smsNumber?: string }) {
  return { username, email: null, smsNumber: null, updatedAt: NOW, updatedBy: username, ...patch };
}

/** The one suite every paging channel passes (STYLE.md: one contract suite per port). */
function describeChannelContract(factory: ChannelFactory): void {
  describe(`paging channel contract: ${factory.name}`, () => {
    let rig: ChannelRig | undefined;
    const open = async () => {
      rig = await factory.open(new MemoryContactStore(newContactData(), new MemoryLifecycle()));
      return rig;
    };
    afterEach(async () => {
      await rig?.close();
      rig = undefined;
    });

    it('delivers to each address the person has, one sent receipt per address', async () => {
      const { channel, addAddresses, delivered } = await open();
      await addAddresses('ana', factory.maxAddresses);
      const receipts = await channel.deliver(message('ana'));
      expect(receipts).toHaveLength(factory.maxAddresses);
      expect(delivered()).toBe(factory.maxAddresses);
      for (const receipt of receipts) {
        expect(receipt).toMatchObject({ channel: factory.name, recipient: 'ana', status: 'sent', at: NOW });
        expect(receipt.attempts).toBeGreaterThanOrEqual(1);
        expect(receipt.statusCode).toBe(factory.name === 'email' ? 250 : 201);
      }
      expect(new Set(receipts.map((receipt) => receipt.target)).size).toBe(factory.maxAddresses);
    });

    it('answers [] for a person with no address on it, and sends nothing', async () => {
      const { channel, addAddresses, delivered } = await open();
      await addAddresses('ben', 1);
      expect(await channel.deliver(message('ana'))).toEqual([]);
      expect(delivered()).toBe(0);
    });

    it('turns a failing endpoint into a failed receipt with a reason, never a throw', async () => {
      const { channel, addAddresses, breakEndpoint } = await open();
      await addAddresses('ana', 1);
      await breakEndpoint();
      const receipts = await channel.deliver(message('ana'));
      expect(receipts).toHaveLength(1);
      expect(receipts[0]).toMatchObject({ channel: factory.name, recipient: 'ana', status: 'failed' });
      expect(receipts[0]?.error).toEqual(expect.any(String));
      expect(receipts[0]?.error?.length).toBeGreaterThan(0);
    });

    it('never puts patient data in a receipt target', async () => {
      const { channel, addAddresses } = await open();
      await addAddresses('ana', factory.maxAddresses);
      const receipts = await channel.deliver(message('ana'));
      expect(receipts.length).toBeGreaterThan(0);
      for (const receipt of receipts) {
        expect(receipt.target).not.toContain('Zelda');
        expect(receipt.target).not.toContain('Vancomycin');
        expect(JSON.stringify(receipt)).not.toContain(PATIENT);
      }
    });
  });
}

const clock = () => NOW;

describeChannelContract({
  name: 'push',
  maxAddresses: 2,
  async open(store) {
    let status = 201;
    const endpoint = await fakeHttpEndpoint(() => status);
    const channel = new PushChannel({
      contacts: store,
      vapid: await openVapidKeys(store),
      subject: 'mailto:test@example.org',
      ttlSeconds: { high: 600, medium: 3600, low: 14_400 },
      ackTokens: await AckTokens.open(store, clock),
      now: clock,
    });
    return {
      channel,
      async addAddresses(username, count) {
        for (let i = 0; i < count; i += 1) {
          await store.putDevice({
            id: `dev_${username}_${i}`,
            username,
            endpoint: `${endpoint.url}/push/${username}/${i}`,
            keys: browserKeys().keys,
            label: `${username}'s device ${i}`,
            createdAt: NOW + i,
            lastSuccessAt: null,
          });
        }
      },
      delivered: () => endpoint.received.length,
      async breakEndpoint() {
        status = 500;
      },
      close: () => endpoint.close(),
    };
  },
});

describeChannelContract({
  name: 'email',
  maxAddresses: 1,
  async open(store) {
    let refuse = false;
    const smtp = await fakeSmtpServer(() => refuse);
    const channel = new EmailChannel({
      contacts: store,
      smtp: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'pumpwatch <alerts@example.org>',
        timeoutMs: 5000,
      },
      now: clock,
    });
    return {
      channel,
      async addAddresses(username) {
        await store.putContact(contactFor(username, { email: `${username}@example.org` }));
      },
      delivered: () => smtp.messages.length,
      async breakEndpoint() {
        refuse = true;
      },
      async close() {
        channel.close();
        await smtp.close();
      },
    };
  },
});

describeChannelContract({
  name: 'webhook',
  maxAddresses: 1,
  async open(store) {
    let status = 201;
    const gateway = await fakeHttpEndpoint(() => status);
    const channel = new SmsWebhookChannel({
      contacts: store,
      url: `${gateway.url}/sms`,
      secret: 'a-shared-secret-of-at-least-32-characters',
      retry: { attempts: 2, minBackoffMs: 5, maxBackoffMs: 10, timeoutMs: 2000 },
      now: clock,
    });
    return {
      channel,
      async addAddresses(username) {
        await store.putContact(contactFor(username, { smsNumber: '+447700900123' }));
      },
      delivered: () => gateway.received.length,
      async breakEndpoint() {
        status = 503;
      },
      close: () => gateway.close(),
    };
  },
});
