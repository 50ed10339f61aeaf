import { describe, expect, it, vi } from 'vitest';
import { alertNotification, createNotifier, type NotificationApi } from '../src/notify.js';
import { alert } from './fixtures.js';

function fakeApi(permission: NotificationPermission, answer: NotificationPermission = 'granted') {
  const api = {
    permission,
    requestPermission: vi.fn(async () => {
      api.permission = answer;
      return answer;
    }),
    show: vi.fn(),
  } satisfies NotificationApi;
  return api;
}

describe('browser notifications', () => {
  it('word an alert with priority, rule and pump, one per alert, sticky when high', () => {
    expect(alertNotification(alert())).toMatchObject({
      title: 'HIGH: Downstream occlusion — pump-1',
      tag: 'pumpwatch-a1',
      requireInteraction: true,
    });
    expect(alertNotification(alert({ priority: 'medium', escalationLevel: 1 }))).toMatchObject({
      title: 'MED: Downstream occlusion — pump-1 — escalated to tier 2',
      requireInteraction: false,
    });
  });

  it('name the patient and drug first when the alert has them, the pump in the body', () => {
    const named = alertNotification(
      alert({
        patient: { id: 'pat_1', displayName: 'Ana Silva', teamId: 'team_1' },
        therapy: { id: 'thr_1', drug: 'Vancomycin' },
      }),
    );
    expect(named.title).toBe('HIGH: Downstream occlusion — Ana Silva (Vancomycin)');
    expect(named.body).toContain('pump pump-1 on');
    expect(alertNotification(alert()).body).toContain('unassigned pump pump-1');
  });

  it('show only while the tab is hidden and permission is granted', () => {
    const api = fakeApi('granted');
    let hidden = false;
    const n = createNotifier(api, () => hidden);
    expect(n.notify(alertNotification(alert()))).toBe(false);
    hidden = true;
    expect(n.notify(alertNotification(alert()))).toBe(true);
    expect(api.show).toHaveBeenCalledTimes(1);
    expect(n.shown).toBe(1);
  });

  it('ask permission only when not yet decided', async () => {
    const api = fakeApi('default', 'denied');
    const n = createNotifier(api, () => true);
    expect(await n.request()).toBe('denied');
    expect(n.state()).toBe('denied');
    expect(n.notify(alertNotification(alert()))).toBe(false);
    await n.request();
    expect(api.requestPermission).toHaveBeenCalledTimes(1);
  });

  it('degrade to "unsupported" without the API, and survive a browser that throws', async () => {
    const none = createNotifier(null, () => true);
    expect(none.state()).toBe('unsupported');
    expect(await none.request()).toBe('unsupported');
    expect(none.notify(alertNotification(alert()))).toBe(false);
    const api = fakeApi('granted');
    api.show.mockImplementation(() => {
      throw new TypeError('Illegal constructor');
    });
    expect(createNotifier(api, () => true).notify(alertNotification(alert()))).toBe(false);
  });
});
