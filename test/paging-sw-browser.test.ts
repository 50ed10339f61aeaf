import type { Alert } from '@pumpwatch/protocol';
import type { PumpwatchServer } from '@pumpwatch/server';
import type { Browser, BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from './support/browser.js';
import {
  decryptPush,
  PAGED_NURSE,
  raiseOcclusionForPatient,
  startPagingServer,
  startPushService,
  subscriberKeys,
} from './support/paging-push-service.js';
import { getJson, postJson } from './support/server-harness.js';
import { waitFor } from './support/wait.js';

/**
 * The dashboard's service worker in real Chromium against a real server (docs/paging.md#how-it-is-tested).
 * No vendor push service is reachable here, so the server pushes to a loopback stand-in the test runs;
 * the test decrypts what arrived and delivers that plaintext to the worker through the DevTools protocol
 * (`ServiceWorker.deliverPushMessage`), as Chromium's push layer would after decrypting. The Acknowledge
 * action is run by dispatching a `NotificationEvent` in the worker (Playwright's worker.evaluate): no
 * protocol command clicks a notification's action button.
 */
let server: PumpwatchServer;
let nurseToken: string;
let push: Awaited<ReturnType<typeof startPushService>>;
let alert: Alert;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cdp: CDPSession;
let sw: Worker;
let registrationId: string;
const receipts: Array<{ alertId: string; username: string; event: string }> = [];
const keys = subscriberKeys();

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  requireInteraction: boolean;
  actions: string[];
}

/** What the worker's registration shows now (`registration.getNotifications()`). */
function shownNotifications(): Promise<ShownNotification[]> {
  return sw.evaluate(async () => {
    const scope = globalThis as unknown as {
      registration: {
        getNotifications(): Promise<Array<Notification & { actions?: Array<{ action: string }> }>>;
      };
    };
    const shown = await scope.registration.getNotifications();
    return shown.map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      requireInteraction: n.requireInteraction,
      actions: (n.actions ?? []).map((action) => action.action),
    }));
  });
}

/** The server pages the nurse; the stand-in push service gets it; the test hands it to Chromium. */
async function pageAndDeliver(
  reason: 'raised' | 'repeated' | 'acknowledged',
  current: Alert = alert,
): Promise<void> {
  const channel = server.paging.byName.push;
  if (!channel) throw new Error('push channel missing');
  const before = push.requests.length;
  const [receipt] = await channel.deliver({
    alert: current,
    recipient: PAGED_NURSE.username,
    reason,
    step: 0,
    alertUrl: `${server.httpUrl}/#/alerts/${encodeURIComponent(alert.id)}`,
    ...(reason === 'acknowledged' ? { acknowledgedBy: current.acknowledgedBy ?? 'someone' } : {}),
  });
  expect(receipt).toMatchObject({ status: 'sent', statusCode: 201 });
  const request = push.requests[before];
  if (!request) throw new Error('the push service got nothing');
  const plaintext = JSON.stringify(decryptPush(request.body, keys));
  await cdp.send('ServiceWorker.deliverPushMessage', {
    origin: server.httpUrl,
    registrationId,
    data: plaintext,
  });
}

beforeAll(async () => {
  push = await startPushService();
  ({ server, nurseToken } = await startPagingServer());
  server.paging.receiptListeners.push((report) => {
    receipts.push(report);
  });
  alert = await raiseOcclusionForPatient(server, 'PUMP-SW1');
  // The nurse's phone, as the push service knows it: the test holds the browser half of the keys.
  const device = await postJson(
    `${server.httpUrl}/api/me/devices`,
    { endpoint: `${push.origin}/wpush/sw-test`, keys: keys.keys, label: 'Chromium under test' },
    nurseToken,
  );
  expect(device.status).toBe(201);

  browser = await launchChromium();
  context = await browser.newContext();
  await context.grantPermissions(['notifications'], { origin: server.httpUrl });
  page = await context.newPage();
  cdp = await context.newCDPSession(page);
  const registered = new Promise<string>((resolve) => {
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      const live = registrations.find((r) => !r.isDeleted && r.scopeURL === `${server.httpUrl}/`);
      if (live) resolve(live.registrationId);
    });
  });
  await cdp.send('ServiceWorker.enable');
  await page.goto(server.httpUrl);
  const workerStarted = context.waitForEvent('serviceworker', { timeout: 15_000 });
  const scope = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await navigator.serviceWorker.ready;
    return registration.scope;
  });
  expect(scope).toBe(`${server.httpUrl}/`);
  sw = context.serviceWorkers()[0] ?? (await workerStarted);
  registrationId = await registered;
}, 60_000);

afterAll(async () => {
  await page?.screenshot({ path: screenshotPath('paging-sw-browser') }).catch(() => undefined);
  await browser?.close();
  await server?.stop();
  await push?.close();
});

describe('service worker', () => {
  it('shows a pushed page with Acknowledge and Open, and reports it displayed', async () => {
    await pageAndDeliver('raised');
    const [shown, ...others] = await waitFor(
      async () => {
        const list = await shownNotifications();
        return list.length > 0 && list;
      },
      { timeoutMs: 10_000, what: 'a notification' },
    );
    expect(others).toEqual([]);
    expect(shown).toEqual({
      title: 'HIGH: Downstream occlusion — Zelda Quillfeather (Vancomycin)',
      body: expect.stringContaining('PUMP-SW1'),
      tag: alert.id,
      requireInteraction: true,
      actions: ['acknowledge', 'open'],
    });
    await waitFor(() => receipts.some((r) => r.event === 'displayed'), {
      timeoutMs: 10_000,
      what: 'a receipt',
    });
    expect(receipts[0]).toEqual(
      expect.objectContaining({ alertId: alert.id, username: PAGED_NURSE.username, event: 'displayed' }),
    );
  });

  it('replaces the page with a second push for the same alert: one notification with that tag', async () => {
    await pageAndDeliver('repeated');
    await waitFor(() => receipts.filter((r) => r.event === 'displayed').length >= 2, {
      timeoutMs: 10_000,
      what: 'the second page shown',
    });
    const shown = await shownNotifications();
    expect(shown.filter((n) => n.tag === alert.id)).toHaveLength(1);
    expect(shown).toHaveLength(1);
  });

  it('acknowledges on the real server as the nurse from the Acknowledge action, without opening a window', async () => {
    const pagesBefore = context.pages().length;
    await sw.evaluate(async (tag) => {
      const scope = globalThis as unknown as {
        registration: { getNotifications(filter: { tag: string }): Promise<Notification[]> };
        dispatchEvent(event: Event): boolean;
      };
      const [notification] = await scope.registration.getNotifications({ tag });
      if (!notification) throw new Error('no notification to click');
      const NotificationEventCtor = (
        globalThis as unknown as {
          NotificationEvent: new (
            type: string,
            init: { notification: Notification; action: string },
          ) => Event;
        }
      ).NotificationEvent;
      scope.dispatchEvent(
        new NotificationEventCtor('notificationclick', { notification, action: 'acknowledge' }),
      );
    }, alert.id);
    const acked = await waitFor(
      async () => {
        const { body } = await getJson<Alert[]>(`${server.httpUrl}/api/alerts?status=all`, nurseToken);
        const current = body.find((candidate) => candidate.id === alert.id);
        return current?.status === 'acknowledged' && current;
      },
      { timeoutMs: 10_000, what: 'the alert acknowledged on the server' },
    );
    expect(acked.acknowledgedBy).toBe(PAGED_NURSE.username);
    const [replaced, ...others] = await waitFor(
      async () => {
        const list = await shownNotifications();
        if (list[0]?.title.startsWith('Acknowledged by you')) return list;
        // On a timeout the error says what the phone showed instead.
        throw new Error(`shown: ${JSON.stringify(list.map((n) => n.title))}`);
      },
      { timeoutMs: 10_000, what: 'the page replaced' },
    );
    expect(others).toEqual([]);
    expect(replaced).toMatchObject({ tag: alert.id, requireInteraction: false, actions: [] });
    expect(context.pages()).toHaveLength(pagesBefore);

    // The acknowledgement reaches the nurse's other devices as an update of the same tag.
    await pageAndDeliver('acknowledged', acked);
    const [update] = await waitFor(
      async () => {
        const list = await shownNotifications();
        return list[0]?.title.startsWith('Acknowledged by paged-nurse') && list;
      },
      { timeoutMs: 10_000, what: 'the acknowledged update' },
    );
    expect(update).toMatchObject({ tag: alert.id, requireInteraction: false });
    expect(await shownNotifications()).toHaveLength(1);
  });

  it('offers "Get alerts on this device" once logged in; a click registers the worker and says what came of it', async () => {
    const fresh = await browser.newContext();
    try {
      await fresh.grantPermissions(['notifications'], { origin: server.httpUrl });
      const tab = await fresh.newPage();
      await tab.goto(server.httpUrl);
      await tab.fill('#login-username', PAGED_NURSE.username);
      await tab.fill('#login-password', PAGED_NURSE.password);
      await tab.click('#login-submit');
      const button = tab.locator('[data-testid="push-enable"]');
      await expect(button.textContent()).resolves.toBe('Get alerts on this device');
      await button.click();
      await tab.waitForFunction(
        () =>
          (document.querySelector('[data-testid="push-enable"]') as HTMLElement | null)?.dataset.state !==
          'busy',
        null,
        { timeout: 15_000 },
      );
      const scope = await tab.evaluate(
        async () => (await navigator.serviceWorker.getRegistration('/'))?.scope,
      );
      expect(scope).toBe(`${server.httpUrl}/`);
      const [state, title] = await button.evaluate((el: HTMLElement) => [el.dataset.state, el.title]);
      if (state === 'on') {
        const { body } = await getJson<Array<{ label: string }>>(
          `${server.httpUrl}/api/me/devices`,
          nurseToken,
        );
        expect(body.map((device) => device.label)).toContain('Chrome on Linux');
      } else {
        // Headless Chromium has no push service to register with ("Registration failed - permission
        // denied"): the button must say so rather than look subscribed.
        expect(state).toBe('failed');
        expect(title).toMatch(/^Could not subscribe this device: /);
      }
    } finally {
      await fresh.close();
    }
  });
});
