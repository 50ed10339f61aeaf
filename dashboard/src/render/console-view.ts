import type { ConsoleIntents } from '../controller/console-controller.js';
import type { ConsoleModel } from '../controller/console-model.js';
import { parseRoute, pumpHref, type Route } from '../route.js';
import type { Identity } from '../session.js';
import { createAlertInbox } from './alerts.js';
import { createCarePages } from './care-pages.js';
import { createConsoleControls } from './console.js';
import { createPumpDetail } from './detail.js';
import { setText } from './dom.js';
import { createNurseView } from './nurse.js';
import { createOncallHeader } from './oncall-header.js';
import { createOncallPages } from './oncall-pages.js';
import { createPumpGrid } from './pumps.js';
import { createSessionView } from './session.js';
import { createStatusView } from './status.js';
import type { View } from './view.js';

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dashboard: #${id} missing from index.html`);
  return el as T;
}

/**
 * The console page (index.html's header, inbox, grid and detail) as one view made of the smaller ones.
 * The page-wide listeners (route, online, the first gesture for audio) are its own, on the same signal,
 * so `destroy` leaves the page as before the login: no listener, no patient data, the console hidden.
 */
export function createConsoleView(
  intents: ConsoleIntents,
  options: { loggedIn: boolean; canAct: boolean; nurseName: string; identity: Identity },
): View<ConsoleModel> {
  const abort = new AbortController();
  const { signal } = abort;
  const announcer = byId('announcer');
  const pumpsSection = byId('pumps');
  // Held here: the banner is taken out of the DOM while live, so it cannot be looked up by id later.
  const consoleParts = ['skip-link', 'console-header', 'console', 'connection-banner'].map((id) => byId(id));
  for (const el of consoleParts) el.hidden = false;
  document.body.dataset.view = 'console';

  const views = {
    // With a login the server records who acts: the name field goes, and the header says who is logged in.
    nurse: createNurseView(
      { root: byId('nurse'), input: byId('nurse-name'), hint: byId('nurse-name-hint') },
      { present: !options.loggedIn, name: options.nurseName, onName: intents.setNurseName },
    ),
    session: createSessionView(
      {
        root: byId('session'),
        label: byId('session-label'),
        user: byId('session-user'),
        role: byId('session-role'),
        note: byId('session-note'),
        logout: byId('logout'),
      },
      { canLogOut: options.loggedIn, onLogout: intents.logOut },
    ),
    status: createStatusView({
      banner: byId('connection-banner'),
      bannerDetail: byId('connection-banner-detail'),
      live: byId('live-indicator'),
      frameNote: byId('frame-note'),
      summary: byId('alert-summary'),
    }),
    controls: createConsoleControls(
      {
        soundStatus: byId('sound-status'),
        soundEnable: byId('sound-enable'),
        audioPause: byId('audio-pause'),
        notifyEnable: byId('notify-enable'),
        notifyStatus: byId('notify-status'),
        snoozeLength: byId('snooze-length'),
      },
      {
        onSoundEnable: intents.enableSound,
        onAudioPause: intents.toggleAudioPause,
        onNotifyEnable: intents.enableNotifications,
        onSnoozeLength: intents.setSnoozeLength,
      },
      { canAct: options.canAct },
    ),
    inbox: createAlertInbox(byId('alert-list'), byId('alert-empty'), {
      onAck: intents.acknowledge,
      onSnooze: intents.snooze,
    }),
    grid: createPumpGrid(byId('pump-grid'), byId('pump-empty')),
    oncallHeader: createOncallHeader(byId('oncall-now'), byId<HTMLAnchorElement>('oncall-now-link')),
  };
  const detail = createPumpDetail(byId('pump-detail'), {
    onRange: (rangeId) => {
      if (shown?.view === 'pump') location.hash = pumpHref(shown.pumpId, rangeId);
    },
  });

  const care = createCarePages(byId('care-page'), {
    onSubmit: intents.submitForm,
    onFilter: intents.setCaseloadFilter,
  });

  const oncall = createOncallPages(byId('oncall-page'), intents.oncall, options.identity);

  // Browsers start audio only after a user gesture: any click or key on the page will do.
  for (const type of ['pointerdown', 'keydown'] as const) {
    document.addEventListener(type, () => intents.gesture(), { capture: true, signal });
  }
  window.addEventListener('hashchange', () => intents.navigate(parseRoute(location.hash)), { signal });
  window.addEventListener('online', () => intents.reconnect(), { signal });

  // On a phone the header folds its secondary controls (audio pause, notifications, snooze length, the
  // session) behind one button, so the worst alert and its patient are on the first screen.
  const header = byId('console-header');
  const headerToggle = byId<HTMLButtonElement>('header-toggle');
  const setExpanded = (expanded: boolean) => {
    header.dataset.expanded = String(expanded);
    headerToggle.setAttribute('aria-expanded', String(expanded));
    headerToggle.textContent = expanded ? 'Fewer controls' : 'More controls';
  };
  setExpanded(false);
  headerToggle.addEventListener('click', () => setExpanded(header.dataset.expanded !== 'true'), { signal });

  /** The route drawn last; null before the first update, which moves no focus. */
  let shown: Route | null = null;

  /** Keyboard focus follows a change of route, as a page load would put it at the top. */
  const moveFocus = (previous: Route, next: Route) => {
    if (next.view === 'pump' && (previous.view !== 'pump' || previous.pumpId !== next.pumpId)) {
      detail.focusHeading();
    } else if (
      (next.view === 'patients' && previous.view !== 'patients') ||
      (next.view === 'patient' && (previous.view !== 'patient' || previous.patientId !== next.patientId))
    ) {
      care.focusHeading();
    } else if (
      (next.view === 'oncall' && (previous.view !== 'oncall' || previous.teamId !== next.teamId)) ||
      (next.view === 'devices' && previous.view !== 'devices') ||
      (next.view === 'alert' && (previous.view !== 'alert' || previous.alertId !== next.alertId))
    ) {
      oncall.focusHeading();
    } else if (next.view === 'overview' && previous.view === 'pump') {
      // Back on the grid: put keyboard focus back on the pump the nurse came from.
      const id = CSS.escape(previous.pumpId);
      document
        .querySelector<HTMLElement>(`[data-testid="pump-card"][data-pump-id="${id}"] a.pump-link`)
        ?.focus();
    }
  };

  return {
    element: byId('console'),
    update(m) {
      views.session.update(m.session);
      views.nurse.update(m.nurse);
      views.status.update(m.status);
      views.inbox.update(m.inbox);
      document.body.dataset.route = m.route.view;
      pumpsSection.hidden = m.grid === null;
      detail.update(m.detail);
      care.update(m.care);
      oncall.update(m.oncall);
      views.oncallHeader.update(m.oncallHeader);
      if (m.grid) views.grid.update(m.grid);
      views.controls.update(m.controls);
      if (m.announcement) setText(announcer, m.announcement);
      const previous = shown;
      shown = m.route;
      if (previous) moveFocus(previous, m.route);
    },
    destroy() {
      abort.abort();
      setExpanded(false);
      for (const view of Object.values(views)) view.destroy();
      detail.destroy();
      care.destroy();
      oncall.destroy();
      // Patient data must not stay on a screen nobody is logged in to (a shared ward computer).
      announcer.replaceChildren();
      for (const el of consoleParts) el.hidden = true;
    },
  };
}
