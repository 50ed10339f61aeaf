import { type Alert, DEFAULT_SNOOZE_MS, MAX_SNOOZE_MS, type ServerFrame } from '@pumpwatch/protocol';
import { acknowledgeAlert } from '../ack.js';
import { type AudioPause, alarmDemand, isNewAlarm, pruneLocalSnoozes, startAudioPause } from '../alarm.js';
import type { AlarmPlayer } from '../audio.js';
import { createCareApi } from '../care/care-api.js';
import type { FormKind, FormValues } from '../care/care-forms.js';
import { createCareLoader } from '../care/care-loader.js';
import type { CaseloadFilter } from '../care/caseload.js';
import { alertCareView, careLabel, isTeamAlert } from '../care-view.js';
import { type ConnectionStatus, isLive, type SocketLike, startConnection } from '../connection.js';
import { trackDelivery, type VolumePoint } from '../delivered.js';
import { alertNotification, CONNECTION_NOTIFICATION, type Notifier } from '../notify.js';
import { loadNurseName, saveNurseName } from '../nurse.js';
import { createOncallApi } from '../oncall/oncall-api.js';
import { createOncallLoader, type OncallAction } from '../oncall/oncall-loader.js';
import type { AckUi } from '../render/alerts.js';
import type { Route } from '../route.js';
import { canAct, type Identity } from '../session.js';
import { snoozeAlert } from '../snooze.js';
import { applyFrame, emptyState, openAlerts, serverNow } from '../state.js';
import { type ConsoleModel, consoleModel } from './console-model.js';
import { createDetailLoader } from './detail-loader.js';

export type ApiFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface ControllerDeps {
  identity: Identity;
  /** fetch for `/api`: adds the bearer token and reports a 401 to whoever owns the session. */
  api: ApiFetch;
  /** `/ws`, with `?token=` when logged in. */
  wsUrl: string;
  createSocket(url: string): SocketLike;
  player: AlarmPlayer;
  notifier: Notifier;
  /** Where the nurse's name is kept when there is no login (authentication disabled). */
  nameStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /** The browser clock. */
  now(): number;
  route: Route;
  /** Draws the page; called after every change and once a second. */
  render(model: ConsoleModel): void;
  /** The nurse clicked the notification of this alert. */
  onNotificationClick(alertId: string): void;
  onLogout(): void;
  /** The token's expiry (server clock) has passed. */
  onExpired(): void;
  log?(message: string, detail?: unknown): void;
  /** The page's origin: the calendar feed's URL is built on it. */
  origin?: string;
}

/** What the views may ask for. */
export interface ConsoleIntents {
  acknowledge(alertId: string): void;
  snooze(alertId: string): void;
  enableSound(): void;
  toggleAudioPause(): void;
  enableNotifications(): void;
  setSnoozeLength(ms: number): void;
  setNurseName(name: string): void;
  navigate(route: Route): void;
  /** A coordinator's form (care/care-forms.ts); validated here before anything is sent. */
  submitForm(kind: FormKind, values: FormValues): void;
  setCaseloadFilter(filter: CaseloadFilter): void;
  /** The rota, "My devices" and test alert (issue 14). */
  oncall(action: OncallAction): void;
  reconnect(): void;
  /** A click or key anywhere: browsers start audio only after one. */
  gesture(): void;
  logOut(): void;
}

/**
 * The nurse console without its DOM: the state from the socket's frames, the alert actions, the alarm
 * sound and notifications, the session's expiry and the detail view's fetching. `stop` ends all of it:
 * socket, timers, sound, requests in flight; a new login starts a new controller.
 */
export function createConsoleController(deps: ControllerDeps) {
  const { identity, api, player, notifier, now } = deps;
  const mayAct = canAct(identity);
  const loggedIn = identity.kind === 'user';
  let stopped = false;
  let state = emptyState();
  let status: ConnectionStatus | null = null;
  let route = deps.route;
  let delivery = new Map<string, readonly VolumePoint[]>();
  /** Acknowledgements and snoozes in flight or failed, by alert id. */
  const acks = new Map<string, AckUi>();
  /** Alerts this console alone keeps quiet (browser time), when the server could not record a snooze. */
  let localSnoozes = new Map<string, number>();
  let audioPause: AudioPause | null = null;
  /** Browser time since which the data has not been live (after having been live once); null while live. */
  let notLiveSince: number | null = null;
  let connectionNotified = false;
  let snoozeMs = DEFAULT_SNOOZE_MS;
  let name = loadNurseName(deps.nameStorage);
  const nurse = { invalid: false, asked: 0 };
  let announcement = '';

  const detail = createDetailLoader({
    getJson: async (url) => {
      const res = await api(url, { headers: { accept: 'application/json' } });
      return { ok: res.ok, status: res.status, json: await res.json().catch(() => undefined) };
    },
    now,
    onChange: () => scheduleRender(),
  });

  const care = createCareLoader({
    api: createCareApi((url, init) => api(url, init)),
    now,
    onChange: () => scheduleRender(),
  });

  const oncall = createOncallLoader({
    api: createOncallApi((url, init) => api(url, init)),
    now,
    onChange: () => scheduleRender(),
    origin: deps.origin ?? '',
  });

  function render(): void {
    if (stopped) return;
    const at = now();
    const serverClock = serverNow(state, at);
    if (identity.kind === 'user' && serverClock >= identity.session.expiresAt) {
      deps.onExpired();
      return;
    }
    if (status !== null && isLive(status, at)) {
      notLiveSince = null;
      connectionNotified = false;
    } else if (notLiveSince === null && status?.lastDataAt != null) {
      notLiveSince = at;
    }
    localSnoozes = pruneLocalSnoozes(localSnoozes, at);
    for (const [id, ui] of acks) {
      if (!state.alerts.has(id)) acks.delete(id);
      // The "paused on this console only" explanation goes when that local pause ends.
      else if (ui.localUntil !== undefined && ui.localUntil <= at) acks.delete(id);
    }
    if (audioPause && audioPause.until <= at) audioPause = null;
    const demand = alarmDemand({
      alerts: openAlerts(state),
      serverNow: serverClock,
      now: at,
      pause: audioPause,
      localSnoozes,
      notLiveSince,
    });
    player.setDemand(demand.tone);
    if (demand.reason === 'connection' && !connectionNotified) {
      connectionNotified = notifier.notify(CONNECTION_NOTIFICATION);
    }
    if (route.view !== 'pump') detail.reset();
    if (route.view !== 'patient') care.leavePatient();
    const controls = {
      sound: player.state(),
      demand,
      pauseLeftMs: audioPause ? audioPause.until - at : null,
      bursts: player.burstsPlayed(),
      notify: notifier.state(),
    };
    const facts = { identity, canAct: mayAct, state, status, route, delivery, acks, localSnoozes };
    const model = consoleModel(
      { ...facts, snoozeMs, nurse: { ...nurse }, announcement },
      at,
      serverClock,
      controls,
      (pumpId, pump) =>
        detail.update({
          pumpId,
          rangeId: route.view === 'pump' ? route.rangeId : null,
          pump,
          alerts: [...state.alerts.values()],
          serverNow: serverClock,
        }),
      care,
      oncall,
    );
    deps.render(model);
  }

  // setTimeout rather than requestAnimationFrame: rAF stops in a background tab, and the tab title, the
  // alarm sound and notifications must carry on there.
  let queued: ReturnType<typeof setTimeout> | null = null;
  function scheduleRender(): void {
    if (queued !== null || stopped) return;
    queued = setTimeout(() => {
      queued = null;
      render();
    }, 0);
  }

  /** New alarms (raised, or risen in priority or tier) end the audio pause and notify a hidden tab. */
  function signalNewAlarms(before: ReadonlyMap<string, Alert>, hadSnapshot: boolean, frame: ServerFrame) {
    const changed: Alert[] =
      frame.type === 'alert' ? [frame.alert] : frame.type === 'snapshot' && hadSnapshot ? frame.alerts : [];
    const fresh = changed.filter((a) => a.priority !== 'low' && isNewAlarm(before.get(a.id), a));
    if (fresh.length === 0) return;
    audioPause = null;
    for (const a of fresh) notifier.notify(alertNotification(a), () => deps.onNotificationClick(a.id));
  }

  function onFrame(frame: ServerFrame, receivedAt: number): void {
    const before = state.alerts;
    const hadSnapshot = state.hasSnapshot;
    state = applyFrame(state, frame, receivedAt);
    if (frame.type === 'snapshot') delivery = trackDelivery(delivery, frame.pumps, false);
    if (frame.type === 'pumps') delivery = trackDelivery(delivery, frame.pumps, true);
    // Only alert frames announce: a snapshot on (re)connect would read out the whole inbox.
    if (frame.type === 'alert' && !before.has(frame.alert.id) && frame.alert.status === 'active') {
      const a = frame.alert;
      announcement = isTeamAlert(a)
        ? `New ${a.priority} priority alert: ${a.message}`
        : `New ${a.priority} priority alert for ${careLabel(alertCareView(a))} on ${a.pumpId}: ${a.message}`;
    }
    signalNewAlarms(before, hadSnapshot, frame);
    scheduleRender();
  }

  /** Without a login (development) the typed name says who acts; asked for when empty. */
  function requireName(): string | null {
    if (name.trim()) return name;
    nurse.invalid = true;
    nurse.asked++;
    return null;
  }

  async function acknowledge(alertId: string): Promise<void> {
    if (stopped || !mayAct || acks.get(alertId)?.busy) return;
    const by = loggedIn ? null : name;
    if (by !== null && !by.trim()) requireName();
    acks.set(alertId, { busy: by === null || by.trim() !== '', error: null, action: 'ack' });
    render();
    const result = await acknowledgeAlert(alertId, by, api);
    if (stopped) return;
    if (result.ok) {
      acks.delete(alertId);
      // The socket will send the same alert; applying the reply too means the row updates even if it lags.
      state = applyFrame(state, { type: 'alert', alert: result.alert }, now());
    } else {
      acks.set(alertId, { busy: false, error: result.message, action: 'ack' });
    }
    render();
  }

  async function snooze(alertId: string): Promise<void> {
    if (stopped || !mayAct || acks.get(alertId)?.busy) return;
    const by = loggedIn ? null : requireName();
    const durationMs = snoozeMs;
    acks.set(alertId, { busy: loggedIn || by !== null, error: null, action: 'snooze' });
    render();
    const result = await snoozeAlert(alertId, loggedIn ? null : (by ?? ''), durationMs, api);
    if (stopped) return;
    if (result.ok) {
      acks.delete(alertId);
      localSnoozes.delete(alertId);
      state = applyFrame(state, { type: 'alert', alert: result.alert }, now());
    } else {
      // Bounded like a server snooze (at most MAX_SNOOZE_MS), and for this console only: the row says so.
      const ui: AckUi = { busy: false, error: result.message, action: 'snooze' };
      if (result.localFallback) {
        ui.localUntil = now() + Math.min(durationMs, MAX_SNOOZE_MS);
        localSnoozes.set(alertId, ui.localUntil);
      }
      acks.set(alertId, ui);
    }
    render();
  }

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
    createSocket: deps.createSocket,
    onFrame,
    onStatus: (next) => {
      status = next;
      scheduleRender();
    },
    onAttemptFailed: checkSession,
    now,
    ...(deps.log ? { log: deps.log } : {}),
  });

  // "last seen N s ago", staleness, snooze ends and sound repeats are functions of time, not only of frames.
  const tick = setInterval(render, 1000);

  const intents: ConsoleIntents = {
    acknowledge: (id) => void acknowledge(id),
    snooze: (id) => void snooze(id),
    enableSound: () => void player.unlock().then(render),
    gesture: () => void player.unlock().then(scheduleRender),
    toggleAudioPause() {
      audioPause = audioPause ? null : startAudioPause(now(), DEFAULT_SNOOZE_MS);
      render();
    },
    enableNotifications: () => void notifier.request().then(render),
    setSnoozeLength(ms) {
      snoozeMs = ms;
      render();
    },
    setNurseName(next) {
      name = next;
      saveNurseName(deps.nameStorage, next);
      if (!next.trim()) return;
      nurse.invalid = false;
      for (const [id, ui] of acks) if (ui.error && !ui.busy && ui.localUntil === undefined) acks.delete(id);
      scheduleRender();
    },
    navigate(next) {
      // Replies for the page being left are dropped; the next page asks afresh.
      if (JSON.stringify(next) !== JSON.stringify(route)) oncall.leave();
      route = next;
      render();
    },
    submitForm(kind, values) {
      if (stopped) return;
      care.submit(kind, values, route.view === 'patient' ? route.patientId : null);
    },
    setCaseloadFilter: (filter) => care.setFilter(filter),
    oncall: (action) => oncall.dispatch(action, identity.kind === 'user' ? identity.session.username : null),
    reconnect: () => connection.reconnectNow(),
    logOut() {
      if (!stopped) deps.onLogout();
    },
  };

  return {
    intents,
    nurseName: () => name,
    /** The first render; apart from construction so the views exist to receive it. */
    start: render,
    /** Stops the socket, the timers, the sound and the detail view's requests. */
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(tick);
      if (queued !== null) clearTimeout(queued);
      queued = null;
      connection.stop();
      detail.reset();
      care.stop();
      oncall.stop();
      player.setDemand(null);
    },
  };
}

export type ConsoleController = ReturnType<typeof createConsoleController>;
