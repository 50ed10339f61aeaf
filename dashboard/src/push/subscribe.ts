import { z } from 'zod';
import type { Identity } from '../session.js';

/**
 * "Get alerts on this device": registers the service worker (/sw.js), subscribes this browser to Web
 * Push with the server's VAPID key, and hands the subscription to `POST /api/me/devices` for the
 * logged-in user (docs/paging.md#web-push). Installed on a phone's home screen (the web app manifest),
 * pages then reach the nurse with the app closed.
 */

const vapidKeySchema = z.object({ publicKey: z.string().min(1) });
const deviceSchema = z.object({ id: z.string(), label: z.string() });

export type PushEnableResult =
  | { ok: true; deviceId: string; label: string }
  | { ok: false; reason: 'unsupported' | 'denied' | 'subscribe-failed' | 'server-refused'; message: string };

export interface PushEnvironment {
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
  navigator: Navigator;
  requestPermission: () => Promise<NotificationPermission>;
  hasPushManager: boolean;
}

function browserEnvironment(): PushEnvironment | null {
  const N = (globalThis as { Notification?: typeof Notification }).Notification;
  if (!('serviceWorker' in navigator) || typeof N !== 'function') return null;
  return {
    fetch: (url, init) => fetch(url, init),
    navigator,
    requestPermission: () => N.requestPermission(),
    hasPushManager: 'PushManager' in globalThis,
  };
}

/** The VAPID key (base64url, an uncompressed P-256 point) as `applicationServerKey` takes it. */
export function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const text = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** "Chrome on Android": enough for a nurse to tell her phone from her laptop in her device list. */
export function deviceLabel(userAgent: string): string {
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrome\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'Browser';
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Mac OS X/.test(userAgent)
        ? 'macOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : 'this device';
  return `${browser} on ${system}`;
}

/** Call from a click: browsers ask for notification permission only from a user gesture. */
export async function enablePushOnThisDevice(
  session: { token: string } | null,
  environment: PushEnvironment | null = browserEnvironment(),
): Promise<PushEnableResult> {
  if (!environment?.hasPushManager)
    return { ok: false, reason: 'unsupported', message: 'This browser cannot receive push alerts.' };
  const permission = await environment.requestPermission().catch(() => 'denied' as const);
  if (permission !== 'granted')
    return {
      ok: false,
      reason: 'denied',
      message: 'Notifications are blocked for pumpwatch: allow them in the browser settings.',
    };
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (session) headers.authorization = `Bearer ${session.token}`;
  let subscription: PushSubscription;
  try {
    const registration = await environment.navigator.serviceWorker.register('/sw.js', { scope: '/' });
    await environment.navigator.serviceWorker.ready;
    const key = vapidKeySchema.parse(
      await (await environment.fetch('/api/push/vapid-public-key', { headers })).json(),
    );
    subscription =
      (await registration.pushManager.getSubscription()) ??
      (await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: applicationServerKey(key.publicKey),
      }));
  } catch (error) {
    return {
      ok: false,
      reason: 'subscribe-failed',
      message: `Could not subscribe this device: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const label = deviceLabel(environment.navigator.userAgent);
  try {
    const response = await environment.fetch('/api/me/devices', {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...subscription.toJSON(), label }),
    });
    const device = deviceSchema.safeParse(await response.json());
    if (!response.ok || !device.success)
      return {
        ok: false,
        reason: 'server-refused',
        message: `The server refused this device (${response.status}).`,
      };
    return { ok: true, deviceId: device.data.id, label: device.data.label };
  } catch {
    return {
      ok: false,
      reason: 'server-refused',
      message: 'Could not reach the server to register this device.',
    };
  }
}

const BUTTON_ID = 'push-enable';

/**
 * A "Get alerts on this device" button; it says what came of the click. The header has one (id
 * `push-enable`, below), "My devices" another (its own test id), which also reloads the device list.
 */
export function renderPushButton(
  identity: Identity,
  signal?: AbortSignal,
  options: { testId?: string; onResult?: (result: PushEnableResult) => void } = {},
): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'control';
  button.dataset.testid = options.testId ?? 'push-enable';
  button.dataset.state = 'off';
  button.textContent = 'Get alerts on this device';
  button.addEventListener(
    'click',
    async () => {
      if (button.dataset.state === 'busy') return;
      button.dataset.state = 'busy';
      button.textContent = 'Subscribing this device…';
      const result = await enablePushOnThisDevice(identity.kind === 'user' ? identity.session : null);
      button.dataset.state = result.ok ? 'on' : 'failed';
      button.textContent = result.ok ? `Alerts on: ${result.label}` : 'Get alerts on this device';
      button.title = result.ok ? 'This device receives your pages, with the app closed.' : result.message;
      options.onResult?.(result);
    },
    signal ? { signal } : undefined,
  );
  return button;
}

/**
 * Puts the button in `container` for this session, replacing the previous session's; the returned
 * function takes it away with its listener (at the session's end: nothing of it stays behind).
 */
export function mountPushButton(container: HTMLElement, identity: Identity): () => void {
  document.getElementById(BUTTON_ID)?.remove();
  const session = new AbortController();
  const button = renderPushButton(identity, session.signal);
  button.id = BUTTON_ID;
  container.append(button);
  return () => {
    session.abort();
    button.remove();
  };
}
