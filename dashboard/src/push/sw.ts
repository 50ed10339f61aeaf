import { type PushPayload, pushPayloadSchema } from '@pumpwatch/protocol';

/**
 * The dashboard's service worker (served at /sw.js, scope /): shows a page that arrives by Web Push
 * while the phone is locked and the app closed, and lets the nurse acknowledge it from the lock screen
 * with the page's ack token, without opening the app (docs/paging.md#service-worker).
 *
 * The worker types are declared here rather than by the WebWorker lib, which cannot share a program
 * with the DOM lib the rest of the dashboard uses.
 */

interface ShownNotification {
  readonly tag: string;
  readonly data: unknown;
  close(): void;
}
interface NotificationShowOptions {
  body: string;
  tag: string;
  requireInteraction: boolean;
  renotify: boolean;
  silent?: boolean;
  actions?: Array<{ action: string; title: string }>;
  data?: unknown;
}
interface WindowClientLike {
  readonly url: string;
  focus(): Promise<unknown>;
  navigate?(url: string): Promise<unknown>;
}
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEventLike extends ExtendableEventLike {
  readonly data: { json(): unknown; text(): string } | null;
}
interface NotificationEventLike extends ExtendableEventLike {
  readonly notification: ShownNotification;
  readonly action: string;
}
interface WorkerScope {
  readonly location: Location;
  readonly registration: {
    showNotification(title: string, options: NotificationShowOptions): Promise<void>;
    getNotifications(filter?: { tag?: string }): Promise<ShownNotification[]>;
  };
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<WindowClientLike[]>;
    openWindow(url: string): Promise<unknown>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'push', listener: (event: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEventLike) => void): void;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
}

const worker = globalThis as unknown as WorkerScope;

/**
 * Keeps the worker alive until `work` settles. A browser refuses `waitUntil` on an event it did not
 * dispatch itself (a test's synthetic click, issue 14's browser test): the work still runs.
 */
function keepAlive(event: ExtendableEventLike, work: Promise<unknown>): void {
  try {
    event.waitUntil(work);
  } catch {
    // Untrusted event: nothing to extend; `work` runs regardless.
  }
}

const sameOrigin = (path: string) => new URL(path, worker.location.origin).href;

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(sameOrigin(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Receipts are best effort: a page that showed is more important than its report. */
function report(payload: PushPayload, event: 'displayed' | 'clicked'): Promise<unknown> {
  if (!payload.ackToken) return Promise.resolve();
  return postJson('/api/push/receipts', {
    alertId: payload.alertId,
    event,
    ackToken: payload.ackToken,
  }).catch(() => undefined);
}

/** A quiet notification in the alert's place: the same tag replaces what the phone shows for it. */
function replaceQuietly(tag: string, title: string, body: string, payload?: PushPayload): Promise<void> {
  return worker.registration.showNotification(title, {
    body,
    tag,
    requireInteraction: false,
    renotify: false,
    silent: true,
    ...(payload ? { data: { ...payload, ackToken: undefined } } : {}),
  });
}

async function onPush(event: PushEventLike): Promise<void> {
  let parsed: ReturnType<typeof pushPayloadSchema.safeParse>;
  try {
    parsed = pushPayloadSchema.safeParse(event.data?.json());
  } catch {
    parsed = pushPayloadSchema.safeParse(undefined);
  }
  if (!parsed.success) {
    // Every push must show something (userVisibleOnly); one we cannot read still says "look".
    await worker.registration.showNotification('pumpwatch: new alert', {
      body: 'Open pumpwatch to see it.',
      tag: 'pumpwatch-unreadable',
      requireInteraction: true,
      renotify: true,
    });
    return;
  }
  const payload = parsed.data;
  if (payload.reason === 'acknowledged' || payload.reason === 'resolved') {
    // Acknowledged elsewhere (another nurse, the console, SMS): this device's page no longer asks.
    await replaceQuietly(payload.tag, payload.title, payload.body, payload);
    return;
  }
  await worker.registration.showNotification(payload.title, {
    body: payload.body,
    tag: payload.tag,
    requireInteraction: payload.requireInteraction,
    renotify: payload.renotify,
    actions: payload.ackToken
      ? [
          { action: 'acknowledge', title: 'Acknowledge' },
          { action: 'open', title: 'Open' },
        ]
      : [{ action: 'open', title: 'Open' }],
    data: payload,
  });
  await report(payload, 'displayed');
}

async function acknowledge(payload: PushPayload): Promise<void> {
  let ok = false;
  try {
    if (payload.ackUrl && payload.ackToken) {
      const response = await postJson(payload.ackUrl, { token: payload.ackToken });
      ok = response.ok;
    }
  } catch {
    ok = false;
  }
  if (ok) {
    await replaceQuietly(payload.tag, `Acknowledged by you: ${payload.title}`, payload.body, payload);
    return;
  }
  // Never leave the nurse believing it worked: the page comes back, loud, with Open.
  await worker.registration.showNotification(`NOT acknowledged: ${payload.title}`, {
    body: 'Could not acknowledge from here. Open pumpwatch and acknowledge there.',
    tag: payload.tag,
    requireInteraction: true,
    renotify: true,
    actions: [{ action: 'open', title: 'Open' }],
    data: { ...payload, ackToken: undefined },
  });
}

async function openAlert(payload: PushPayload | null): Promise<void> {
  const url = payload?.openUrl ?? sameOrigin('/');
  const windows = await worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const open = windows.find((client) => new URL(client.url).origin === worker.location.origin);
  if (open) {
    await open.navigate?.(url).catch(() => undefined);
    await open.focus();
  } else {
    await worker.clients.openWindow(url);
  }
  if (payload) await report(payload, 'clicked');
}

function onNotificationClick(event: NotificationEventLike): void {
  const parsed = pushPayloadSchema.safeParse(event.notification.data);
  const payload = parsed.success ? parsed.data : null;
  // Acknowledging leaves the page up until its replacement (same tag) says what came of it: closed here,
  // the phone would show nothing while the request runs, and a close that the browser handles after the
  // replacement was shown would take the replacement away too (its id is the tag's).
  if (event.action === 'acknowledge' && payload) {
    keepAlive(event, acknowledge(payload));
    return;
  }
  event.notification.close();
  keepAlive(event, openAlert(payload));
}

worker.addEventListener('install', (event) => keepAlive(event, worker.skipWaiting()));
worker.addEventListener('activate', (event) => keepAlive(event, worker.clients.claim()));
worker.addEventListener('push', (event) => keepAlive(event, onPush(event)));
worker.addEventListener('notificationclick', onNotificationClick);
