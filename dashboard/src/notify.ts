import type { Alert } from '@pumpwatch/protocol';
import { alertCareView, careLabel, isTeamAlert } from './care-view.js';
import { PRIORITY_SHORT, RULE_LABELS } from './labels.js';

/**
 * Browser notifications for a console the nurse is not looking at (a hidden tab). Permission is asked
 * only from a click (browsers refuse it otherwise); without support or permission the console says so
 * and keeps working, sound and title included.
 */

/** The part of the Notification API used here, so unit tests pass a fake. */
export interface NotificationApi {
  readonly permission: NotificationPermission;
  requestPermission(): Promise<NotificationPermission>;
  show(title: string, options: NotificationOptions & { onclick?: () => void }): void;
}

export type NotifyState = 'unsupported' | 'default' | 'granted' | 'denied';

export interface AlertNotification {
  title: string;
  body: string;
  tag: string;
  requireInteraction: boolean;
}

export function alertNotification(alert: Alert): AlertNotification {
  const tier = alert.escalationLevel > 0 ? ` — escalated to tier ${alert.escalationLevel + 1}` : '';
  // The patient the alert was raised for comes first: a nurse knows her patients, not pump serials.
  const care = alertCareView(alert);
  const team = isTeamAlert(alert);
  // "Nobody reachable" is about a care team (its message names it), not a pump.
  const who = team ? 'a care team' : care.assigned ? careLabel(care) : alert.pumpId;
  const where = team
    ? 'pumpwatch on-call'
    : care.assigned
      ? `pump ${alert.pumpId} on ${alert.hubId}`
      : `unassigned pump ${alert.pumpId} on ${alert.hubId}`;
  return {
    title: `${PRIORITY_SHORT[alert.priority]}: ${RULE_LABELS[alert.rule]} — ${who}${tier}`,
    body: `${alert.message} (${where})`,
    // One notification per alert: an escalation replaces the earlier one instead of stacking.
    tag: `pumpwatch-${alert.id}`,
    // A high alert stays on screen until the nurse deals with it.
    requireInteraction: alert.priority === 'high',
  };
}

export const CONNECTION_NOTIFICATION: AlertNotification = {
  title: 'pumpwatch is NOT receiving live data',
  body: 'Alerts raised since the connection was lost are not shown. The console keeps reconnecting.',
  tag: 'pumpwatch-connection',
  requireInteraction: true,
};

/** A hidden tab whose session ended shows no alerts any more: say so rather than fall silent. */
export const SESSION_ENDED_NOTIFICATION: AlertNotification = {
  title: 'pumpwatch: session expired — log in again',
  body: 'This console shows no alerts until you log in again.',
  tag: 'pumpwatch-session',
  requireInteraction: true,
};

export interface Notifier {
  state(): NotifyState;
  /** Call from a user gesture only. */
  request(): Promise<NotifyState>;
  /** Shows it only while the page is hidden and permission is granted; returns whether it did. */
  notify(n: AlertNotification, onClick?: () => void): boolean;
  /** How many notifications this page has shown. */
  readonly shown: number;
}

export function createNotifier(api: NotificationApi | null, isHidden: () => boolean): Notifier {
  let shown = 0;
  const state = (): NotifyState => (api ? api.permission : 'unsupported');
  return {
    state,
    async request() {
      if (!api) return 'unsupported';
      if (api.permission !== 'default') return api.permission;
      try {
        return await api.requestPermission();
      } catch {
        return state();
      }
    },
    notify(n, onClick) {
      if (api?.permission !== 'granted' || !isHidden()) return false;
      try {
        api.show(n.title, {
          body: n.body,
          tag: n.tag,
          requireInteraction: n.requireInteraction,
          ...(onClick ? { onclick: onClick } : {}),
        });
      } catch {
        // Some browsers (Android Chrome) allow notifications only from a service worker: the sound and
        // the tab title still carry the alarm.
        return false;
      }
      shown++;
      return true;
    },
    get shown() {
      return shown;
    },
  };
}

/** Wraps the browser's `Notification`, or null where it does not exist. */
export function browserNotificationApi(): NotificationApi | null {
  const N = (globalThis as { Notification?: typeof Notification }).Notification;
  if (typeof N !== 'function') return null;
  return {
    get permission() {
      return N.permission;
    },
    requestPermission: () => N.requestPermission(),
    show(title, { onclick, ...options }) {
      const n = new N(title, options);
      if (onclick) n.onclick = onclick;
    },
  };
}
