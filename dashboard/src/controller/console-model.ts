import type { PumpView } from '@pumpwatch/protocol';
import type { CareLoader } from '../care/care-loader.js';
import { type CarePageModel, carePageModel } from '../care/care-page-model.js';
import { type ConnectionStatus, isLive } from '../connection.js';
import { deliveredRate, type VolumePoint } from '../delivered.js';
import { formatClock, formatCountdown } from '../format.js';
import type { OncallLoader } from '../oncall/oncall-loader.js';
import { type OncallPageModel, oncallHeader, oncallPageModel } from '../oncall/oncall-page-model.js';
import type { OncallHeaderModel } from '../oncall/oncall-text.js';
import { sortAlerts, sortPumps } from '../order.js';
import type { AckUi, InboxModel } from '../render/alerts.js';
import type { ControlsModel } from '../render/console.js';
import type { DetailViewModel } from '../render/detail.js';
import type { NurseModel } from '../render/nurse.js';
import type { GridModel } from '../render/pumps.js';
import type { StatusModel } from '../render/status.js';
import type { Route } from '../route.js';
import { type Identity, type SessionView, sessionView } from '../session.js';
import { type DashboardState, openAlerts, openAlertsByPump } from '../state.js';
import { alertRowView, pumpCardView, summaryView } from '../view.js';
import type { DetailData } from './detail-loader.js';

/** Everything the console page shows at one moment: what `createConsoleView` draws. */
export interface ConsoleModel {
  route: Route;
  session: SessionView;
  status: StatusModel;
  inbox: InboxModel;
  /** Null on the pump detail route. */
  grid: GridModel | null;
  /** Null on the overview. */
  detail: DetailViewModel | null;
  /** The caseload or a patient's page; null on the other routes. */
  care: CarePageModel | null;
  controls: ControlsModel;
  nurse: NurseModel;
  /** "On call: ana (until 07:00)" in the header (issue 14). */
  oncallHeader: OncallHeaderModel;
  /** The rota, "My devices" or an alert's paging story; null on the other routes. */
  oncall: OncallPageModel | null;
  /** Read out by the live region: the newest alert raised. */
  announcement: string;
}

/** The controller's state that the page is drawn from. */
export interface ConsoleFacts {
  identity: Identity;
  canAct: boolean;
  state: DashboardState;
  status: ConnectionStatus | null;
  route: Route;
  delivery: ReadonlyMap<string, readonly VolumePoint[]>;
  acks: ReadonlyMap<string, AckUi>;
  localSnoozes: ReadonlyMap<string, number>;
  snoozeMs: number;
  nurse: NurseModel;
  announcement: string;
}

export function snoozeButtonText(snoozeMs: number): string {
  return `Snooze ${Math.round(snoozeMs / 60_000)} min`;
}

/**
 * The page, as plain strings and numbers from the facts; `now` is the browser clock, `serverClock` the
 * server's estimated from it. `detail` fills in the detail view's data (its loader) when on that route.
 */
export function consoleModel(
  f: ConsoleFacts,
  now: number,
  serverClock: number,
  controls: ControlsModel,
  detail: (pumpId: string, pump: PumpView | undefined) => DetailData,
  care?: CareLoader,
  oncall?: OncallLoader,
): ConsoleModel {
  const { state, status } = f;
  const live = status !== null && isLive(status, now);
  const open = openAlerts(state);
  const byPump = openAlertsByPump(state);
  const summary = summaryView(open);
  const offset = state.clockOffsetMs;
  const alertsOf = (p: { pumpId: string }) => byPump.get(p.pumpId) ?? [];
  const cardOf = (p: PumpView) =>
    pumpCardView(p, alertsOf(p), serverClock, deliveredRate(f.delivery.get(p.pumpId) ?? []), {
      live,
      therapyText: care?.timing(p.care?.therapy?.id, p.care?.patient?.teamId, serverClock) ?? null,
    });

  let grid: GridModel | null = null;
  let detailModel: DetailViewModel | null = null;
  let careModel: CarePageModel | null = null;
  let oncallModel: OncallPageModel | null = null;
  const viewer =
    f.identity.kind === 'user'
      ? { username: f.identity.session.username, role: f.identity.session.role }
      : { username: null, role: null };
  const teams = care?.teams() ?? [];
  if (f.route.view === 'oncall' || f.route.view === 'devices' || f.route.view === 'alert') {
    if (oncall)
      oncallModel = oncallPageModel({
        route: f.route,
        loader: oncall,
        teams,
        viewer,
        openAlert: f.route.view === 'alert' ? state.alerts.get(f.route.alertId) : undefined,
        now: serverClock,
      });
  } else if ((f.route.view === 'patients' || f.route.view === 'patient') && care) {
    careModel = carePageModel({
      route: f.route,
      loader: care,
      viewer,
      pumps: state.pumps,
      cardOf,
      serverClock,
    });
  } else if (f.route.view === 'pump') {
    const { pumpId } = f.route;
    const pump = state.pumps.get(pumpId);
    const card = pump ? cardOf(pump) : null;
    detailModel = {
      ...detail(pumpId, pump),
      pumpId,
      // Patient first, pump second (issue 13): "Ana Silva — Vancomycin · pump PUMP-0004 on demo-hub".
      heading: card
        ? `${card.patientText}${card.drugText ? ` — ${card.drugText}` : ''} · pump ${pumpId} on ${card.hubId}`
        : `Pump ${pumpId}`,
      card,
      missingText: pump
        ? null
        : `${pumpId} is not among the pumps this server reports now; its history may still show.`,
    };
  } else {
    grid = {
      cards: sortPumps(state.pumps.values(), alertsOf).map(cardOf),
      emptyText: state.hasSnapshot ? 'No pumps are reporting to this server.' : 'Waiting for live data…',
    };
  }

  return {
    route: f.route,
    session: sessionView(f.identity, serverClock, formatCountdown),
    status: {
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
    },
    inbox: {
      rows: sortAlerts(open).map((a) => {
        const local = f.localSnoozes.get(a.id);
        return alertRowView(a, serverClock, undefined, {
          localSnoozedUntil: local === undefined ? null : local + offset,
          therapyText: care?.timing(a.therapy?.id, a.patient?.teamId, serverClock) ?? null,
          teamName: teams.find((t) => t.id === a.pumpId)?.name ?? null,
        });
      }),
      acks: f.acks,
      emptyText: state.hasSnapshot ? 'No open alerts.' : 'Waiting for live data…',
      canAct: f.canAct,
      snoozeButtonText: snoozeButtonText(f.snoozeMs),
    },
    grid,
    detail: detailModel,
    care: careModel,
    controls,
    nurse: f.nurse,
    oncallHeader: oncall
      ? oncallHeader(oncall, teams, viewer, serverClock)
      : { text: null, level: 'info', href: '#/oncall', usernames: [] },
    oncall: oncallModel,
    announcement: f.announcement,
  };
}
