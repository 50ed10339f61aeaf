import type { Alert, CareTeam } from '@pumpwatch/protocol';
import { myTeamIds } from '../care/caseload.js';
import { isTeamAlert } from '../care-view.js';
import { formatClock } from '../format.js';
import { PRIORITY_LABELS, RULE_LABELS, STATUS_LABELS } from '../labels.js';
import { ONCALL_HREF, pumpHref, teamOncallHref } from '../route.js';
import type { Role } from '../session.js';
import { type ContactErrors, type DeviceRow, deviceRows } from './devices-view.js';
import type { OncallLoader } from './oncall-loader.js';
import { type OncallHeaderModel, oncallHeaderModel } from './oncall-text.js';
import {
  type PagingPathView,
  pagingPathView,
  type ReceiptLine,
  receiptLine,
  receiptsSummary,
  type TimelineLine,
  timelineOf,
} from './receipts.js';
import { type RotaErrors, type TeamRota, teamRota } from './rota-view.js';

/** The on-call pages as the view draws them: the rota, "My devices", one alert's paging story. */

export type OncallPageModel =
  | {
      kind: 'rota';
      heading: string;
      /** Null without a login: overrides are made "for myself", which needs a name. */
      me: string | null;
      teams: Array<TeamRota & { busy: boolean; done: string | null; errors: RotaErrors; version: number }>;
      emptyText: string | null;
      feed: { busy: boolean; url: string | null; error: string | null; available: boolean };
    }
  | {
      kind: 'devices';
      heading: string;
      devices: DeviceRow[] | null;
      statusText: string;
      removeError: string | null;
      contact: { email: string; smsNumber: string };
      contactErrors: ContactErrors;
      contactBusy: boolean;
      contactDone: string | null;
      contactVersion: number;
      test: { busy: boolean; summary: string | null; receipts: ReceiptLine[]; error: string | null };
      /** Without a login there is no "me" to page. */
      available: boolean;
    }
  | {
      kind: 'alert';
      alertId: string;
      heading: string;
      facts: Array<{ label: string; value: string; href?: string }>;
      timeline: TimelineLine[];
      timelineText: string;
      path: PagingPathView | null;
      pathNote: string | null;
    };

export interface OncallViewer {
  username: string | null;
  role: Role | null;
}

/** The teams the header and `#/oncall` are about: those whose members include me; all for an admin. */
export function myTeams(teams: readonly CareTeam[], viewer: OncallViewer): CareTeam[] {
  const mine = myTeamIds(teams, viewer);
  return teams.filter((t) => mine.has(t.id));
}

export function oncallHeader(
  loader: OncallLoader,
  teams: readonly CareTeam[],
  viewer: OncallViewer,
  now: number,
): OncallHeaderModel {
  const mine = myTeams(teams, viewer);
  return oncallHeaderModel(
    loader.header(mine),
    now,
    mine.length === 1 && mine[0] ? teamOncallHref(mine[0].id) : ONCALL_HREF,
  );
}

export interface OncallPageInput {
  route: { view: 'oncall'; teamId: string | null } | { view: 'devices' } | { view: 'alert'; alertId: string };
  loader: OncallLoader;
  teams: readonly CareTeam[];
  viewer: OncallViewer;
  /** The alert as the console holds it now (open alerts); else the one its last event carries. */
  openAlert: Alert | undefined;
  now: number;
}

export function oncallPageModel(input: OncallPageInput): OncallPageModel {
  const { route, loader, viewer, now } = input;
  if (route.view === 'oncall') {
    const shown = route.teamId
      ? input.teams.filter((t) => t.id === route.teamId)
      : myTeams(input.teams, viewer);
    const ids = route.teamId && shown.length === 0 ? [route.teamId] : shown.map((t) => t.id);
    const feed = loader.feed();
    return {
      kind: 'rota',
      heading: route.teamId ? `On call: ${shown[0]?.name ?? 'team'}` : 'On call: my teams',
      me: viewer.username,
      teams: ids.map((teamId) => {
        const data = loader.team(teamId);
        const name = input.teams.find((t) => t.id === teamId)?.name ?? teamId;
        return {
          ...teamRota({ ...data, teamName: name }, viewer, now),
          busy: data.busy,
          done: data.done,
          errors: data.errors,
          version: data.version,
        };
      }),
      emptyText:
        ids.length === 0
          ? input.teams.length === 0
            ? 'Loading the teams…'
            : `You (${viewer.username ?? 'nobody'}) are in no care team: open a team's rota from its alert, or ask a coordinator.`
          : null,
      feed: { ...feed, available: viewer.username !== null },
    };
  }
  if (route.view === 'devices') {
    const data = loader.devices();
    const receipts = data.test.receipts;
    return {
      kind: 'devices',
      heading: 'My devices and test alert',
      devices: data.devices ? deviceRows(data.devices, now) : null,
      statusText: data.error ?? (data.devices ? '' : 'Loading your devices…'),
      removeError: data.removeError,
      contact: { email: data.contact?.email ?? '', smsNumber: data.contact?.smsNumber ?? '' },
      contactErrors: data.contactErrors,
      contactBusy: data.contactBusy,
      contactDone: data.contactDone,
      contactVersion: data.contactVersion,
      test: {
        busy: data.test.busy,
        summary: receipts ? receiptsSummary(receipts) : null,
        receipts: (receipts ?? []).map(receiptLine),
        error: data.test.error,
      },
      available: viewer.username !== null,
    };
  }
  const data = loader.alertPaging(route.alertId);
  const alert = input.openAlert ?? data.events?.at(-1)?.alert;
  return {
    kind: 'alert',
    alertId: route.alertId,
    heading: alert ? alertHeading(alert, input.teams) : `Alert ${route.alertId}`,
    facts: alert ? alertFacts(alert, input.teams) : [],
    timeline: data.events ? timelineOf(data.events) : [],
    timelineText:
      data.eventsError ??
      (data.events ? (data.events.length === 0 ? 'No events yet.' : '') : 'Loading the receipts…'),
    path: data.path && alert ? pagingPathView(data.path, alert.priority, now) : null,
    pathNote: data.pathNote ?? (data.path || !alert ? null : 'Loading the escalation path…'),
  };
}

const teamNameOf = (teams: readonly CareTeam[], id: string | undefined) =>
  teams.find((t) => t.id === id)?.name ?? null;

function alertHeading(alert: Alert, teams: readonly CareTeam[]): string {
  const rule = RULE_LABELS[alert.rule];
  if (isTeamAlert(alert)) return `${rule} — ${teamNameOf(teams, alert.pumpId) ?? 'a care team'}`;
  const who = alert.patient?.displayName ?? 'Unassigned pump';
  return `${rule} — ${who}${alert.therapy ? ` (${alert.therapy.drug})` : ''}`;
}

function alertFacts(
  alert: Alert,
  teams: readonly CareTeam[],
): Array<{ label: string; value: string; href?: string }> {
  const team = isTeamAlert(alert);
  const status =
    alert.status === 'acknowledged'
      ? `Acknowledged by ${alert.acknowledgedBy ?? 'unknown'}${alert.acknowledgedAt ? ` at ${formatClock(alert.acknowledgedAt)}` : ''}`
      : STATUS_LABELS[alert.status];
  return [
    { label: 'Priority', value: PRIORITY_LABELS[alert.priority] },
    { label: 'Status', value: status },
    {
      label: 'Raised',
      value: `${new Date(alert.raisedAt).toISOString().slice(0, 10)} ${formatClock(alert.raisedAt)}`,
    },
    team
      ? {
          label: 'Team',
          value: teamNameOf(teams, alert.pumpId) ?? 'a care team',
          href: teamOncallHref(alert.pumpId),
        }
      : { label: 'Pump', value: `${alert.pumpId} on ${alert.hubId}`, href: pumpHref(alert.pumpId) },
    ...(alert.patient && !team
      ? [
          {
            label: 'Team',
            value: teamNameOf(teams, alert.patient.teamId) ?? alert.patient.teamId,
            href: teamOncallHref(alert.patient.teamId),
          },
        ]
      : []),
    { label: 'Message', value: alert.message },
  ];
}
