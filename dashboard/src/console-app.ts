import {
  type Alert,
  DEFAULT_SNOOZE_MS,
  MAX_SNOOZE_MS,
  type PumpView,
  type ServerFrame,
} from '@pumpwatch/protocol';
import { acknowledgeAlert } from './ack.js';
import { type AudioPause, alarmDemand, isNewAlarm, pruneLocalSnoozes, startAudioPause } from './alarm.js';
import type { AlarmPlayer } from './audio.js';
import { type ConnectionStatus, isLive, type SocketLike, startConnection } from './connection.js';
import { deliveredRate, trackDelivery, type VolumePoint } from './delivered.js';
import { formatClock, formatCountdown } from './format.js';
import { alertNotification, CONNECTION_NOTIFICATION, type Notifier } from './notify.js';
import { loadNurseName, saveNurseName } from './nurse.js';
import { sortAlerts, sortPumps } from './order.js';
import { type AckUi, createAlertInbox } from './render/alerts.js';
import { createConsoleControls } from './render/console.js';
import { createPumpDetail } from './render/detail.js';
import { createPumpGrid } from './render/pumps.js';
import { createSessionView } from './render/session.js';
import { createStatusView } from './render/status.js';
import { parseRoute, type Route } from './route.js';
import { canAct, type Identity, sessionView } from './session.js';
import { snoozeAlert } from './snooze.js';
import { applyFrame, emptyState, openAlerts, openAlertsByPump, pumpKey, serverNow } from './state.js';
import { alertRowView, pumpCardView, summaryView } from './view.js';

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} missing from index.html`);
  return el as T;
}

export type ApiFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface ConsoleDeps {
  identity: Identity;
  /** fetch for `/api`: adds the bearer token and reports a 401 to whoever owns the session. */
  api: ApiFetch;
  /** `/ws`, with `?token=` when logged in. */
  wsUrl: string;
  player: AlarmPlayer;
  notifier: Notifier;
  /** Where the nurse's name is kept when there is no login (authentication disabled). */
  nameStorage: Storage | null;
  onLogout(): void;
  /** The token's expiry (server clock) has passed. */
  onExpired(): void;
}

export interface RunningConsole {
  /** Stops the socket, the timers and the sound, and takes patient data off the page. */
  stop(): void;
}

/**
 * The nurse console: wires the pure store to the socket, the DOM, the speaker and the alert endpoints,
 * for one identity. Started once per page load (main.ts), after the login when there is one.
 */
export function startConsole(deps: ConsoleDeps): RunningConsole {
  const { identity, api, player, notifier } = deps;
  const storage = deps.nameStorage;
  const mayAct = canAct(identity);
  const loggedIn = identity.kind === 'user';
  let stopped = false;

  const nameInput = byId<HTMLInputElement>('nurse-name');
  const nameHint = byId<HTMLElement>('nurse-name-hint');
  const announcer = byId<HTMLElement>('announcer');
  const pumpsSection = byId<HTMLElement>('pumps');
  const alertList = byId<HTMLElement>('alert-list');
  const pumpGrid = byId<HTMLElement>('pump-grid');
  const detailSection = byId<HTMLElement>('pump-detail');

  // With a login the server records who acts: the name field goes, and the header says who is logged in.
  if (loggedIn) byId('nurse').remove();
  const sessionBox = createSessionView(
    {
      root: byId('session'),
      label: byId('session-label'),
      user: byId('session-user'),
      role: byId('session-role'),
      note: byId('session-note'),
      logout: byId('logout'),
    },
    { canLogOut: loggedIn },
  );
  // A viewer cannot snooze: the length to snooze for means nothing to them.
  if (!mayAct) byId('snooze-length').closest('.snooze-length')?.setAttribute('hidden', '');
  // Held here: the banner is taken out of the DOM while live, so it cannot be looked up by id later.
  const consoleParts = ['skip-link', 'console-header', 'console', 'connection-banner'].map((id) => byId(id));
  for (const el of consoleParts) el.hidden = false;
  document.body.dataset.view = 'console';

  let state = emptyState();
  let status: ConnectionStatus | null = null;
  let route: Route = parseRoute(location.hash);
  let delivery = new Map<string, readonly VolumePoint[]>();
  /** Acknowledgements and snoozes in flight or failed, by alert id. */
  const acks = new Map<string, AckUi>();
  /** Alerts this console alone keeps quiet (browser time), when the server could not record a snooze. */
  let localSnoozes = new Map<string, number>();
  let audioPause: AudioPause | null = null;
  /** Browser time since which the data has not been live (after having been live once); null while live. */
  let notLiveSince: number | null = null;
  let connectionNotified = false;

  const statusView = createStatusView({
    banner: byId('connection-banner'),
    bannerDetail: byId('connection-banner-detail'),
    live: byId('live-indicator'),
    frameNote: byId('frame-note'),
    summary: byId('alert-summary'),
  });
  const controls = createConsoleControls({
    soundStatus: byId('sound-status'),
    soundEnable: byId('sound-enable'),
    audioPause: byId('audio-pause'),
    notifyEnable: byId('notify-enable'),
    notifyStatus: byId('notify-status'),
    snoozeLength: byId('snooze-length'),
  });
  const inbox = createAlertInbox(alertList, byId('alert-empty'), {
    onAck: (id) => void acknowledge(id),
    onSnooze: (id) => void snooze(id),
    snoozeButtonText: () => controls.snoozeText(),
  });
  const grid = createPumpGrid(pumpGrid, byId('pump-empty'));
  const detail = createPumpDetail(detailSection, async (url) => {
    const res = await api(url, { headers: { accept: 'application/json' } });
    return { ok: res.ok, status: res.status, json: await res.json().catch(() => undefined) };
  });

  function render(): void {
    if (stopped) return;
    const now = Date.now();
    const live = status !== null && isLive(status, now);
    const serverClock = serverNow(state, now);
    if (identity.kind === 'user' && serverClock >= identity.session.expiresAt) {
      deps.onExpired();
      return;
    }
    sessionBox.render(sessionView(identity, serverClock, formatCountdown));
    const open = openAlerts(state);
    const byPump = openAlertsByPump(state);
    const summary = summaryView(open);

    if (live) {
      notLiveSince = null;
      connectionNotified = false;
    } else if (notLiveSince === null && status?.lastDataAt != null) {
      notLiveSince = now;
    }
    statusView.render({
      live,
      lastDataAt: status?.lastDataAt ?? null,
      invalidFrames: status?.invalidFrames ?? 0,
      // While not live the counts may be out of date: say from when they are, so they cannot reassure.
      summaryText: !state.hasSnapshot
        ? 'Waiting for the first snapshot…'
        : live || status?.lastDataAt == null
          ? summary.text
          : `As of ${formatClock(status.lastDataAt)}: ${summary.text}`,
      unacknowledged: summary.active.high + summary.active.medium + summary.active.low,
    });

    localSnoozes = pruneLocalSnoozes(localSnoozes, now);
    for (const [id, ui] of acks) {
      if (!state.alerts.has(id)) acks.delete(id);
      // The "paused on this console only" explanation goes when that local pause ends.
      else if (ui.localUntil !== undefined && ui.localUntil <= now) acks.delete(id);
    }
    const offset = state.clockOffsetMs;
    inbox.render(
      sortAlerts(open).map((a) =>
        alertRowView(a, serverClock, undefined, {
          localSnoozedUntil: localSnoozes.has(a.id) ? (localSnoozes.get(a.id) as number) + offset : null,
        }),
      ),
      acks,
      state.hasSnapshot ? 'No open alerts.' : 'Waiting for live data…',
      mayAct,
    );

    const alertsOf = (p: { hubId: string; pumpId: string }) => byPump.get(pumpKey(p.hubId, p.pumpId)) ?? [];
    const cardOf = (p: PumpView) =>
      pumpCardView(
        p,
        alertsOf(p),
        serverClock,
        deliveredRate(delivery.get(pumpKey(p.hubId, p.pumpId)) ?? []),
      );
    document.body.dataset.route = route.view;
    if (route.view === 'pump') {
      const { pumpId, rangeId } = route;
      const pump = [...state.pumps.values()].find((p) => p.pumpId === pumpId);
      pumpsSection.hidden = true;
      detail.render({
        pumpId,
        rangeId,
        pump,
        card: pump ? cardOf(pump) : null,
        alerts: [...state.alerts.values()],
        serverNow: serverClock,
      });
    } else {
      detail.hide();
      pumpsSection.hidden = false;
      grid.render(
        sortPumps(state.pumps.values(), alertsOf).map(cardOf),
        state.hasSnapshot ? 'No pumps are reporting to this server.' : 'Waiting for live data…',
      );
    }

    if (audioPause && audioPause.until <= now) audioPause = null;
    const demand = alarmDemand({
      alerts: open,
      serverNow: serverClock,
      now,
      pause: audioPause,
      localSnoozes,
      notLiveSince,
    });
    player.setDemand(demand.tone);
    if (demand.reason === 'connection' && !connectionNotified) {
      connectionNotified = notifier.notify(CONNECTION_NOTIFICATION);
    }
    controls.render({
      sound: player.state(),
      demand,
      pauseLeftMs: audioPause ? audioPause.until - now : null,
      bursts: player.burstsPlayed(),
      notify: notifier.state(),
    });
  }

  // setTimeout rather than requestAnimationFrame: rAF stops in a background tab, and the tab title, the
  // alarm sound and notifications must carry on there.
  let renderQueued = false;
  function scheduleRender(): void {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(() => {
      renderQueued = false;
      render();
    }, 0);
  }

  /** New alarms (raised, or risen in priority or tier) end the audio pause and notify a hidden tab. */
  function signalNewAlarms(
    before: ReadonlyMap<string, Alert>,
    hadSnapshot: boolean,
    frame: ServerFrame,
  ): void {
    const changed: Alert[] =
      frame.type === 'alert' ? [frame.alert] : frame.type === 'snapshot' && hadSnapshot ? frame.alerts : [];
    const fresh = changed.filter((a) => a.priority !== 'low' && isNewAlarm(before.get(a.id), a));
    if (fresh.length === 0) return;
    audioPause = null;
    for (const a of fresh) {
      notifier.notify(alertNotification(a), () => {
        window.focus();
        location.hash = '#/';
        document.querySelector<HTMLElement>(`[data-alert-id="${CSS.escape(a.id)}"]`)?.focus();
      });
    }
  }

  function announceNewAlerts(before: ReadonlyMap<string, unknown>, frame: ServerFrame): void {
    // Only alert frames announce: a snapshot on (re)connect would read out the whole inbox.
    if (frame.type !== 'alert' || before.has(frame.alert.id) || frame.alert.status !== 'active') return;
    const a = frame.alert;
    announcer.textContent = `New ${a.priority} priority alert on ${a.pumpId}: ${a.message}`;
  }

  function onFrame(frame: ServerFrame, receivedAt: number): void {
    const before = state.alerts;
    const hadSnapshot = state.hasSnapshot;
    state = applyFrame(state, frame, receivedAt);
    if (frame.type === 'snapshot') delivery = trackDelivery(delivery, frame.pumps, false);
    if (frame.type === 'pump') delivery = trackDelivery(delivery, [frame.pump], true);
    if (frame.type === 'pumps') delivery = trackDelivery(delivery, frame.pumps, true);
    announceNewAlerts(before, frame);
    signalNewAlarms(before, hadSnapshot, frame);
    scheduleRender();
  }

  /**
   * Who acts, for acknowledge and snooze alike. With a login the server takes it from the token (null
   * here); without one (development) it is the typed name, refused in the browser when empty.
   */
  function requireName(): string | null {
    const by = nameInput.value;
    if (by.trim()) return by;
    nameInput.setAttribute('aria-invalid', 'true');
    nameHint.hidden = false;
    nameInput.focus();
    return null;
  }

  async function acknowledge(alertId: string): Promise<void> {
    if (stopped || !mayAct || acks.get(alertId)?.busy) return;
    const by = loggedIn ? null : nameInput.value;
    if (by !== null && !by.trim()) requireName();
    acks.set(alertId, { busy: by === null || by.trim() !== '', error: null, action: 'ack' });
    render();
    const result = await acknowledgeAlert(alertId, by, api);
    if (stopped) return;
    if (result.ok) {
      acks.delete(alertId);
      // The socket will send the same alert; applying the reply too means the row updates even if it lags.
      state = applyFrame(state, { type: 'alert', alert: result.alert }, Date.now());
    } else {
      acks.set(alertId, { busy: false, error: result.message, action: 'ack' });
    }
    render();
  }

  async function snooze(alertId: string): Promise<void> {
    if (stopped || !mayAct || acks.get(alertId)?.busy) return;
    const by = loggedIn ? null : requireName();
    const durationMs = controls.snoozeMs();
    acks.set(alertId, { busy: loggedIn || by !== null, error: null, action: 'snooze' });
    render();
    const result = await snoozeAlert(alertId, loggedIn ? null : (by ?? ''), durationMs, api);
    if (stopped) return;
    if (result.ok) {
      acks.delete(alertId);
      localSnoozes.delete(alertId);
      state = applyFrame(state, { type: 'alert', alert: result.alert }, Date.now());
    } else {
      // Bounded like a server snooze (at most MAX_SNOOZE_MS), and for this console only: the row says so.
      const ui: AckUi = { busy: false, error: result.message, action: 'snooze' };
      if (result.localFallback) {
        ui.localUntil = Date.now() + Math.min(durationMs, MAX_SNOOZE_MS);
        localSnoozes.set(alertId, ui.localUntil);
      }
      acks.set(alertId, ui);
    }
    render();
  }

  nameInput.value = loadNurseName(storage);
  nameInput.addEventListener('input', () => {
    saveNurseName(storage, nameInput.value);
    if (nameInput.value.trim()) {
      nameInput.removeAttribute('aria-invalid');
      nameHint.hidden = true;
      for (const [id, ui] of acks) if (ui.error && !ui.busy && ui.localUntil === undefined) acks.delete(id);
      scheduleRender();
    }
  });

  // Browsers start audio only after a user gesture: any click or key on the page will do.
  for (const type of ['pointerdown', 'keydown'] as const) {
    document.addEventListener(type, () => void player.unlock().then(scheduleRender), { capture: true });
  }
  byId('sound-enable').addEventListener('click', () => void player.unlock().then(render));
  byId('audio-pause').addEventListener('click', () => {
    audioPause = audioPause ? null : startAudioPause(Date.now(), DEFAULT_SNOOZE_MS);
    render();
  });
  byId('notify-enable').addEventListener('click', () => void notifier.request().then(render));
  byId('snooze-length').addEventListener('change', () => render());

  window.addEventListener('hashchange', () => {
    const previous = route;
    route = parseRoute(location.hash);
    render();
    if (route.view === 'pump' && (previous.view !== 'pump' || previous.pumpId !== route.pumpId)) {
      detail.focusHeading();
    } else if (route.view === 'overview' && previous.view === 'pump') {
      // Back on the grid: put keyboard focus back on the pump the nurse came from.
      const id = CSS.escape(previous.pumpId);
      document.querySelector<HTMLElement>(`[data-testid="pump-card"][data-pump-id="${id}"] a`)?.focus();
    }
  });

  byId('logout').addEventListener('click', () => {
    if (stopped) return;
    sessionBox.busy();
    deps.onLogout();
  });

  // A refused upgrade (bad or expired token) looks like a dead server to a browser: ask the API, whose
  // 401 ends the session (main.ts). One question at a time; a network failure means the server is down.
  let checkingSession = false;
  const checkSession = () => {
    if (checkingSession || stopped) return;
    checkingSession = true;
    void api('/api/me', { headers: { accept: 'application/json' } })
      .catch(() => undefined)
      .finally(() => {
        checkingSession = false;
      });
  };

  const connection = startConnection({
    url: deps.wsUrl,
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    onFrame,
    onStatus: (next) => {
      status = next;
      scheduleRender();
    },
    onAttemptFailed: checkSession,
    log: (message, detail) => console.warn(message, detail ?? ''),
  });
  window.addEventListener('online', () => connection.reconnectNow());

  // The login form's keys and clicks count as the gesture browsers want before they play audio.
  if (navigator.userActivation?.hasBeenActive) void player.unlock().then(scheduleRender);

  // "last seen N s ago", staleness, snooze ends and sound repeats are functions of time, not only of frames.
  const tick = setInterval(render, 1000);
  render();

  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(tick);
      connection.stop();
      player.setDemand(null);
      // Patient data must not stay on a screen nobody is logged in to (a shared ward computer).
      for (const el of [alertList, pumpGrid, detailSection, announcer]) el.replaceChildren();
      detailSection.hidden = true;
      for (const el of consoleParts) el.hidden = true;
    },
  };
}
