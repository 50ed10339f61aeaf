import './styles.css';
import { sessionEndedTone } from './alarm.js';
import { createAlarmPlayer } from './audio.js';
import { byId, type RunningConsole, startConsole } from './console-app.js';
import { browserNotificationApi, createNotifier, SESSION_ENDED_NOTIFICATION } from './notify.js';
import { mountPushButton } from './push/subscribe.js';
import { createLoginView } from './render/login.js';
import {
  authorizedFetch,
  clearSession,
  fetchAuthMode,
  type Identity,
  LOGGED_OUT_NOTICE,
  LOGGED_OUT_OFFLINE_NOTICE,
  LOGIN_NEEDED_NOTICE,
  loadSession,
  logIn,
  SERVER_UNREACHABLE_NOTICE,
  SESSION_EXPIRED_NOTICE,
  type Session,
  saveSession,
  webSocketUrl,
} from './session.js';

/**
 * Composition root. With authentication required (the server's default) the console starts only with a
 * session: from this tab's `sessionStorage`, or from the login page. With it disabled (`auth.mode` in
 * `/api/health`: development) it starts at once with the name field. Any 401, a refused WebSocket or
 * the token's expiry ends the session: the console stops, patient data leaves the page, and the login
 * page says why.
 */

function safe<T>(get: () => T): T | null {
  try {
    return get();
  } catch {
    return null;
  }
}

const tabStorage = safe(() => window.sessionStorage);
const nameStorage = safe(() => window.localStorage);
const player = createAlarmPlayer();
const notifier = createNotifier(browserNotificationApi(), () => document.visibilityState === 'hidden');

let session: Session | null = null;
let running: RunningConsole | null = null;
let ending = false;
/** When the session ended on its own (expired, revoked, refused); null after a logout or a login. */
let endedAt: number | null = null;
const loginSound = byId('login-sound');

const loginView = createLoginView(
  {
    root: byId('login'),
    form: byId('login-form'),
    username: byId('login-username'),
    password: byId('login-password'),
    notice: byId('login-notice'),
    error: byId('login-error'),
    submit: byId('login-submit'),
  },
  (username, password) => logIn(username, password, (url, init) => fetch(url, init)),
);

/** Removes the session's "Get alerts on this device" button and its listener. */
let unmountPushButton: (() => void) | null = null;

function showConsole(identity: Identity): void {
  loginView.hide();
  const token = identity.kind === 'user' ? identity.session.token : null;
  running = startConsole({
    identity,
    api: authorizedFetch(
      (url, init) => fetch(url, init),
      () => token,
      () => endSession(identity.kind === 'user' ? SESSION_EXPIRED_NOTICE : LOGIN_NEEDED_NOTICE),
    ),
    wsUrl: webSocketUrl(location, token),
    player,
    notifier,
    nameStorage,
    onLogout: () => void logOut(),
    onExpired: () => endSession(SESSION_EXPIRED_NOTICE),
  });
  unmountPushButton = mountPushButton(byId('session'), identity);
}

/** Ends the session (expired, revoked, logged out): nothing of it stays on the page or in the tab. */
function endSession(notice: string, options: { notify: boolean } = { notify: true }): void {
  if (ending) return;
  ending = true;
  running?.stop();
  running = null;
  unmountPushButton?.();
  unmountPushButton = null;
  session = null;
  clearSession(tabStorage);
  if (options.notify) {
    endedAt = Date.now();
    notifier.notify(SESSION_ENDED_NOTIFICATION, () => window.focus());
  }
  void askLogin(notice);
}

// The login page after an involuntary end sounds like a lost connection (alarm.ts sessionEndedTone).
setInterval(() => {
  const tone = sessionEndedTone(endedAt, Date.now());
  if (running || tone === null) return;
  player.setDemand(tone);
  const sounding = player.playing() !== null;
  loginSound.hidden = !sounding;
  loginSound.dataset.alarm = sounding ? tone : 'none';
}, 1000);

async function logOut(): Promise<void> {
  const token = session?.token;
  let reached = true;
  if (token) {
    reached = await fetch('/api/logout', { method: 'POST', headers: { authorization: `Bearer ${token}` } })
      .then(() => true)
      .catch(() => false);
  }
  endSession(reached ? LOGGED_OUT_NOTICE : LOGGED_OUT_OFFLINE_NOTICE, { notify: false });
}

async function askLogin(notice: string | null): Promise<void> {
  for (const id of ['console-header', 'console', 'connection-banner', 'skip-link']) {
    document.getElementById(id)?.setAttribute('hidden', '');
  }
  const next = await loginView.show(notice);
  endedAt = null;
  player.setDemand(null);
  loginSound.hidden = true;
  saveSession(tabStorage, next);
  // The previous console was stopped (every listener, timer and socket of it gone): a new one starts in
  // the same page, without a reload (issue 12).
  session = next;
  ending = false;
  showConsole({ kind: 'user', session: next });
}

async function boot(): Promise<void> {
  const stored = loadSession(tabStorage, Date.now());
  if (stored.session) {
    session = stored.session;
    showConsole({ kind: 'user', session: stored.session });
    return;
  }
  const mode = await fetchAuthMode((url, init) => fetch(url, init));
  if (mode === 'disabled') {
    showConsole({ kind: 'anonymous' });
    return;
  }
  await askLogin(
    stored.expired ? SESSION_EXPIRED_NOTICE : mode === 'unknown' ? SERVER_UNREACHABLE_NOTICE : null,
  );
}

void boot();
