import type { Alert } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decryptPush,
  PAGED_NURSE,
  raiseOcclusionForPatient,
  startPagingServer,
  startPushService,
  subscriberKeys,
  verifyVapid,
} from './support/paging-push-service.js';
import { getJson, postJson } from './support/server-harness.js';

/**
 * Web Push end to end against a loopback stand-in for a push service (no vendor push service is
 * reachable here: docs/paging.md#what-is-not-tested). The test made the subscription's keys, so it
 * decrypts what the server sent with an implementation of its own (`http_ece`, RFC 8291) and checks
 * the VAPID header's JWT (RFC 8292) with node:crypto.
 */
let server: PumpwatchServer;
let nurseToken: string;
let push: Awaited<ReturnType<typeof startPushService>>;
let alert: Alert;
const keys = subscriberKeys();

beforeAll(async () => {
  push = await startPushService();
  ({ server, nurseToken } = await startPagingServer());
  alert = await raiseOcclusionForPatient(server, 'PUMP-WP1');
});

afterAll(async () => {
  await server?.stop();
  await push?.close();
});

describe('Web Push channel', () => {
  let deviceId: string;

  it('subscribes the nurse’s device and sends her an encrypted page she can decrypt', async () => {
    const endpoint = `${push.origin}/wpush/v2/subscription-1`;
    const subscribed = await postJson<{ id: string }>(
      `${server.httpUrl}/api/me/devices`,
      { endpoint, expirationTime: null, keys: keys.keys, label: "Ana's phone" },
      nurseToken,
    );
    expect(subscribed.status).toBe(201);
    deviceId = subscribed.body.id;

    const channel = server.paging.byName.push;
    if (!channel) throw new Error('push channel missing');
    const alertUrl = `${server.httpUrl}/#/alerts/${encodeURIComponent(alert.id)}`;
    const receipts = await channel.deliver({
      alert,
      recipient: PAGED_NURSE.username,
      reason: 'raised',
      step: 0,
      alertUrl,
    });
    expect(receipts).toEqual([
      expect.objectContaining({
        channel: 'push',
        target: "Ana's phone",
        status: 'sent',
        statusCode: 201,
        attempts: 1,
      }),
    ]);
    expect(push.requests).toHaveLength(1);
    const [request] = push.requests;
    if (!request) throw new Error('no push request');
    expect(request.path).toBe('/wpush/v2/subscription-1');
    expect(request.headers['content-encoding']).toBe('aes128gcm');
    expect(request.headers.ttl).toBe('600');
    expect(request.headers.urgency).toBe('high');
    expect(request.headers.topic).toMatch(/^[\w-]{1,32}$/);

    const payload = decryptPush(request.body, keys) as Record<string, unknown>;
    expect(payload).toEqual({
      alertId: alert.id,
      title: 'HIGH: Downstream occlusion — Zelda Quillfeather (Vancomycin)',
      body: expect.stringContaining('PUMP-WP1'),
      tag: alert.id,
      priority: 'high',
      requireInteraction: true,
      renotify: true,
      reason: 'raised',
      ackToken: expect.any(String),
      ackUrl: `/api/alerts/${encodeURIComponent(alert.id)}/ack-by-token`,
      openUrl: alertUrl,
    });

    const vapid = verifyVapid(request.headers.authorization);
    expect(vapid.header).toMatchObject({ typ: 'JWT', alg: 'ES256' });
    expect(vapid.k).toBe(server.paging.vapid.publicKey);
    expect(vapid.claims.aud).toBe(push.origin);
    expect(vapid.claims.sub).toBe('mailto:oncall@example.org');
    const nowS = Date.now() / 1000;
    expect(vapid.claims.exp).toBeGreaterThan(nowS);
    expect(vapid.claims.exp).toBeLessThanOrEqual(nowS + 24 * 3600);

    // The payload's token acknowledges that alert, as the nurse, without her session.
    const acked = await postJson<{ status: string; acknowledgedBy: string }>(
      `${server.httpUrl}${payload.ackUrl as string}`,
      { token: payload.ackToken },
    );
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: PAGED_NURSE.username });

    const devices = await getJson<Array<{ id: string; lastSuccessAt: number | null }>>(
      `${server.httpUrl}/api/me/devices`,
      nurseToken,
    );
    expect(devices.body[0]?.lastSuccessAt).toEqual(expect.any(Number));
  });

  it('sends an update without an ack token and at normal urgency once acknowledged', async () => {
    const channel = server.paging.byName.push;
    if (!channel) throw new Error('push channel missing');
    const current =
      (await server.ward.listAlerts('all')).find((candidate) => candidate.id === alert.id) ?? alert;
    await channel.deliver({
      alert: current,
      recipient: PAGED_NURSE.username,
      reason: 'acknowledged',
      step: 0,
      alertUrl: `${server.httpUrl}/#/alerts/${alert.id}`,
      acknowledgedBy: PAGED_NURSE.username,
    });
    const request = push.requests.at(-1);
    if (!request) throw new Error('no push request');
    expect(request.headers.urgency).toBe('normal');
    const payload = decryptPush(request.body, keys) as Record<string, unknown>;
    expect(payload).toMatchObject({
      tag: alert.id,
      reason: 'acknowledged',
      acknowledgedBy: PAGED_NURSE.username,
      requireInteraction: false,
    });
    expect(payload.ackToken).toBeUndefined();
  });

  it('removes a subscription the push service reports gone (410), and says so in the receipt', async () => {
    push.answer(410);
    const channel = server.paging.byName.push;
    if (!channel) throw new Error('push channel missing');
    const receipts = await channel.deliver({
      alert,
      recipient: PAGED_NURSE.username,
      reason: 'repeated',
      step: 0,
      alertUrl: `${server.httpUrl}/#/alerts/${alert.id}`,
    });
    expect(receipts).toEqual([
      expect.objectContaining({
        status: 'failed',
        statusCode: 410,
        error: 'subscription gone (410): device removed',
      }),
    ]);
    const devices = await getJson<unknown[]>(`${server.httpUrl}/api/me/devices`, nurseToken);
    expect(devices.body).toEqual([]);
    expect(deviceId).toEqual(expect.any(String));
    // With no device left the channel has nobody to send to.
    expect(
      await channel.deliver({
        alert,
        recipient: PAGED_NURSE.username,
        reason: 'repeated',
        step: 0,
        alertUrl: 'x',
      }),
    ).toEqual([]);
  });
});
