import type { AlarmPlayer } from './audio.js';
import type { SocketLike } from './connection.js';
import { type ApiFetch, createConsoleController } from './controller/console-controller.js';
import type { Notifier } from './notify.js';
import { createConsoleView } from './render/console-view.js';
import { parseRoute } from './route.js';
import { canAct, type Identity } from './session.js';

export { byId } from './render/console-view.js';
export type { ApiFetch };

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
  /** Stops the socket, the timers and the sound, removes every listener, takes patient data off the page. */
  stop(): void;
}

/**
 * The nurse console for one identity: the controller (state, socket, requests) and the page's views,
 * joined by the views' intents and the controller's models. Started after each login (main.ts) and
 * stopped at the end of each session, in the same page: a stopped console leaves nothing behind.
 */
export function startConsole(deps: ConsoleDeps): RunningConsole {
  const controller = createConsoleController({
    identity: deps.identity,
    api: deps.api,
    wsUrl: deps.wsUrl,
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    player: deps.player,
    notifier: deps.notifier,
    nameStorage: deps.nameStorage,
    now: Date.now,
    route: parseRoute(location.hash),
    render: (model) => view.update(model),
    onNotificationClick: (alertId) => {
      window.focus();
      location.hash = '#/';
      document.querySelector<HTMLElement>(`[data-alert-id="${CSS.escape(alertId)}"]`)?.focus();
    },
    onLogout: deps.onLogout,
    onExpired: deps.onExpired,
    log: (message, detail) => console.warn(message, detail ?? ''),
    origin: location.origin,
  });
  const view = createConsoleView(controller.intents, {
    loggedIn: deps.identity.kind === 'user',
    canAct: canAct(deps.identity),
    nurseName: controller.nurseName(),
    identity: deps.identity,
  });
  // The login form's keys and clicks count as the gesture browsers want before they play audio.
  if (navigator.userActivation?.hasBeenActive) controller.intents.gesture();
  controller.start();

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      controller.stop();
      view.destroy();
    },
  };
}
