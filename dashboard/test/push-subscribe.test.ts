import { describe, expect, it } from 'vitest';
import {
  applicationServerKey,
  deviceLabel,
  enablePushOnThisDevice,
  type PushEnvironment,
} from '../src/push/subscribe.js';

/** A browser with a service worker and a push manager that subscribes as told; records the API calls. */
function fakeEnvironment(
  options: { permission?: NotificationPermission; subscribe?: () => Promise<unknown> } = {},
) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const subscription = {
    toJSON: () => ({
      endpoint: 'https://push.example.org/s/1',
      expirationTime: null,
      keys: { p256dh: 'B', auth: 'a' },
    }),
  };
  let subscribedWith: unknown;
  const registration = {
    pushManager: {
      getSubscription: async () => null,
      subscribe: async (init: unknown) => {
        subscribedWith = init;
        return options.subscribe ? options.subscribe() : subscription;
      },
    },
  };
  const environment: PushEnvironment = {
    fetch: async (url, init) => {
      calls.push({ url, ...(init ? { init } : {}) });
      const body =
        url === '/api/push/vapid-public-key'
          ? { publicKey: 'AQID' }
          : { id: 'dev_1', label: 'Chrome on Android' };
      return new Response(JSON.stringify(body), { status: url === '/api/me/devices' ? 201 : 200 });
    },
    navigator: {
      userAgent: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36',
      serviceWorker: { register: async () => registration, ready: Promise.resolve(registration) },
    } as unknown as Navigator,
    requestPermission: async () => options.permission ?? 'granted',
    hasPushManager: true,
  };
  return { environment, calls, subscribedWith: () => subscribedWith };
}

describe('enablePushOnThisDevice', () => {
  it('subscribes with the server key and registers the subscription for the session', async () => {
    const { environment, calls, subscribedWith } = fakeEnvironment();
    const result = await enablePushOnThisDevice({ token: 'tok' }, environment);
    expect(result).toEqual({ ok: true, deviceId: 'dev_1', label: 'Chrome on Android' });
    expect(subscribedWith()).toEqual({
      userVisibleOnly: true,
      applicationServerKey: new Uint8Array([1, 2, 3]),
    });
    const post = calls.find((call) => call.url === '/api/me/devices');
    expect(JSON.parse(String(post?.init?.body))).toEqual({
      endpoint: 'https://push.example.org/s/1',
      expirationTime: null,
      keys: { p256dh: 'B', auth: 'a' },
      label: 'Chrome on Android',
    });
    expect((post?.init?.headers as Record<string, string> | undefined)?.authorization).toBe('Bearer tok');
  });

  it('says why when permission is refused or the browser cannot subscribe, and registers nothing', async () => {
    const denied = fakeEnvironment({ permission: 'denied' });
    expect(await enablePushOnThisDevice(null, denied.environment)).toMatchObject({
      ok: false,
      reason: 'denied',
    });
    const failing = fakeEnvironment({
      subscribe: () => Promise.reject(new Error('Registration failed - permission denied')),
    });
    expect(await enablePushOnThisDevice(null, failing.environment)).toEqual({
      ok: false,
      reason: 'subscribe-failed',
      message: 'Could not subscribe this device: Registration failed - permission denied',
    });
    expect(failing.calls.some((call) => call.url === '/api/me/devices')).toBe(false);
    expect(await enablePushOnThisDevice(null, null)).toMatchObject({ ok: false, reason: 'unsupported' });
  });
});

describe('helpers', () => {
  it('decodes a base64url VAPID key and names devices by browser and system', () => {
    expect([...applicationServerKey('_-8')]).toEqual([255, 239]);
    expect(
      deviceLabel(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit Version/17.0 Mobile Safari/604.1',
      ),
    ).toBe('Safari on iOS');
    expect(deviceLabel('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe(
      'Firefox on Linux',
    );
  });
});
