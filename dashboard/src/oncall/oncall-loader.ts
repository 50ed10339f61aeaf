import type { EscalationPolicyResponse, Override, Rotation, TeamOnCallResponse } from '@pumpwatch/protocol';
import type { ApiResult } from '../care/care-api.js';
import { type ContactErrors, contactServerErrors, validateContact } from './devices-view.js';
import type { AlertEvent, Contact, Device, OncallApi, PagingPath, Receipt } from './oncall-api.js';
import type { TeamOnCall } from './oncall-text.js';
import {
  nextQueryAt,
  overrideFailureText,
  type RotaErrors,
  type RotationValues,
  rotaServerErrors,
  validateRotations,
} from './rota-view.js';

/**
 * The on-call data behind the header, the rota page, "My devices" and an alert's paging story, apart
 * from their DOM (as care/care-loader.ts is for the care pages): it fetches what is asked for when it is
 * due, re-reads on the clock passed in, and calls `onChange` when something arrived.
 */

/** The header's answer is re-read at the next handoff, and at least this often (an override made elsewhere). */
const HEADER_REFRESH_MS = 60_000;
const PAGE_REFRESH_MS = 30_000;
/** An open alert's receipts arrive within seconds of each page. */
const ALERT_REFRESH_MS = 5_000;
/** `?at=` answers asked per team and refresh, at most (rota-view.ts SHIFTS_AHEAD bounds it sooner). */
const MAX_ANSWERS = 8;

export interface TeamPageData {
  teamId: string;
  rotations: readonly Rotation[] | null;
  overrides: readonly Override[] | null;
  policy: EscalationPolicyResponse | null;
  answers: readonly TeamOnCallResponse[];
  error: string | null;
  errors: RotaErrors;
  busy: boolean;
  /** "Saved." / "You are on call Tue 19:00 – Wed 07:00."; null otherwise. */
  done: string | null;
  /** Increments when the rotations change on the server, so the editor refills its inputs. */
  version: number;
}

export interface DevicesData {
  devices: readonly Device[] | null;
  contact: Contact | null;
  error: string | null;
  contactErrors: ContactErrors;
  contactBusy: boolean;
  contactDone: string | null;
  contactVersion: number;
  test: { busy: boolean; receipts: readonly Receipt[] | null; error: string | null };
  removeError: string | null;
}

export interface AlertPagingData {
  alertId: string;
  events: readonly AlertEvent[] | null;
  eventsError: string | null;
  path: PagingPath | null;
  /** Why there is no path: "never paged" (404) or a failure. */
  pathNote: string | null;
}

export interface FeedState {
  busy: boolean;
  url: string | null;
  error: string | null;
}

/** What the on-call pages may ask for (the view reports these; the controller passes them here). */
export type OncallAction =
  | { kind: 'take'; teamId: string; rotationId: string; replaces: string | null; from: number; to: number }
  | { kind: 'cancel'; teamId: string; overrideId: string }
  | { kind: 'saveRotations'; teamId: string; rows: readonly RotationValues[] }
  | { kind: 'feedToken' }
  | { kind: 'removeDevice'; deviceId: string }
  | { kind: 'saveContact'; email: string; smsNumber: string }
  | { kind: 'testPage' }
  /** "Get alerts on this device" subscribed this browser: the list shows it. */
  | { kind: 'devicesChanged' };

type Failure = Extract<ApiResult<unknown>, { ok: false }>;

function failureText(what: string, result: Failure): string {
  const { code } = result.failure;
  if (code === 'NETWORK') return `Could not reach the server for ${what}.`;
  if (code === 'TEAM_NOT_FOUND') return 'The server has no such team.';
  if (code === 'FORBIDDEN') return `Your role may not see ${what}.`;
  return `Could not load ${what} (${code}).`;
}

export function createOncallLoader(deps: {
  api: OncallApi;
  now: () => number;
  onChange(): void;
  /** The page's origin, to turn the feed's path into the URL a calendar subscribes to. */
  origin: string;
}) {
  const { api, now } = deps;
  let stopped = false;
  let generation = 0;
  const changed = () => {
    if (!stopped) deps.onChange();
  };
  /** Runs `then` only if nothing was stopped or left since the request began. */
  const guard = <T>(promise: Promise<T>, then: (value: T) => void) => {
    const mine = generation;
    void promise.then((value) => {
      if (stopped || mine !== generation) return;
      then(value);
      changed();
    });
  };

  // --- the header ---------------------------------------------------------------------------------
  const header = new Map<
    string,
    { answer: TeamOnCallResponse | null; error: string | null; at: number; loading: boolean }
  >();

  function headerFor(teams: readonly { id: string; name: string }[]): TeamOnCall[] {
    const t = now();
    return teams.map((team) => {
      let entry = header.get(team.id);
      const nextHandoff = entry?.answer
        ? Math.min(...entry.answer.rotations.map((r) => r.shiftEnd))
        : Infinity;
      const due = !entry || t - entry.at >= HEADER_REFRESH_MS || t >= nextHandoff;
      if (!entry?.loading && due) {
        entry = { answer: entry?.answer ?? null, error: entry?.error ?? null, at: t, loading: true };
        header.set(team.id, entry);
        const mine = entry;
        void api.onCall(team.id).then((result) => {
          if (stopped) return;
          mine.loading = false;
          mine.at = now();
          if (result.ok) {
            mine.answer = result.data;
            mine.error = null;
          } else {
            mine.error = failureText('who is on call', result);
          }
          changed();
        });
      }
      return {
        teamId: team.id,
        teamName: team.name,
        answer: entry?.answer ?? null,
        error: entry?.error ?? null,
      };
    });
  }
  /** After an override or a rota change: the header asks again at once. */
  const refreshHeader = () => {
    for (const entry of header.values()) entry.at = Number.NEGATIVE_INFINITY;
  };

  // --- the rota page -------------------------------------------------------------------------------
  const teams = new Map<string, TeamPageData & { at: number; loading: boolean }>();
  let feed: FeedState = { busy: false, url: null, error: null };

  async function loadAnswers(teamId: string): Promise<ApiResult<TeamOnCallResponse[]>> {
    const answers: TeamOnCallResponse[] = [];
    const first = await api.onCall(teamId);
    if (!first.ok) return first;
    answers.push(first.data);
    for (let i = 1; i < MAX_ANSWERS; i += 1) {
      const at = nextQueryAt(answers);
      if (at === null) break;
      const next = await api.onCall(teamId, at);
      if (!next.ok) break;
      answers.push(next.data);
    }
    return { ok: true, data: answers };
  }

  function loadTeam(teamId: string): void {
    const entry =
      teams.get(teamId) ??
      ({
        teamId,
        rotations: null,
        overrides: null,
        policy: null,
        answers: [],
        error: null,
        errors: {},
        busy: false,
        done: null,
        version: 0,
        at: 0,
        loading: false,
      } satisfies TeamPageData & { at: number; loading: boolean });
    teams.set(teamId, entry);
    entry.loading = true;
    entry.at = now();
    guard(
      Promise.all([api.rotations(teamId), api.overrides(teamId), api.policy(teamId), loadAnswers(teamId)]),
      ([rotations, overrides, policy, answers]) => {
        entry.loading = false;
        if (rotations.ok) {
          if (JSON.stringify(rotations.data) !== JSON.stringify(entry.rotations)) entry.version += 1;
          entry.rotations = rotations.data;
        }
        if (overrides.ok) entry.overrides = overrides.data;
        if (policy.ok) entry.policy = policy.data;
        if (answers.ok) entry.answers = answers.data;
        const failed = [rotations, answers].find((r): r is Failure => !r.ok);
        entry.error = failed ? failureText('the rota', failed) : null;
      },
    );
  }

  function team(teamId: string): TeamPageData {
    const entry = teams.get(teamId);
    if (!entry || (!entry.loading && now() - entry.at >= PAGE_REFRESH_MS)) loadTeam(teamId);
    return teams.get(teamId) as TeamPageData;
  }

  function afterChange(teamId: string, entry: TeamPageData, done: string): void {
    entry.busy = false;
    entry.done = done;
    entry.errors = {};
    refreshHeader();
    loadTeam(teamId);
  }

  function takeShift(
    teamId: string,
    action: { rotationId: string; replaces: string | null; from: number; to: number },
    me: string,
  ): void {
    const shift = {
      rotationId: action.rotationId,
      replaces: action.replaces,
      from: action.from,
      to: action.to,
    };
    const entry = teams.get(teamId);
    if (!entry || entry.busy) return;
    entry.busy = true;
    entry.done = null;
    entry.error = null;
    changed();
    guard(api.createOverride(teamId, { ...shift, username: me, note: '' }), (result) => {
      if (result.ok)
        afterChange(
          teamId,
          entry,
          `You take the shift: ${result.data.username} on call instead of ${shift.replaces ?? 'whoever is on call'}.`,
        );
      else {
        entry.busy = false;
        entry.error = overrideFailureText('take', result.failure);
      }
    });
  }

  function cancelOverride(teamId: string, overrideId: string): void {
    const entry = teams.get(teamId);
    if (!entry || entry.busy) return;
    entry.busy = true;
    entry.done = null;
    changed();
    guard(api.cancelOverride(teamId, overrideId), (result) => {
      if (result.ok) afterChange(teamId, entry, 'Override cancelled.');
      else {
        entry.busy = false;
        entry.error = overrideFailureText('cancel', result.failure);
      }
    });
  }

  function saveRotations(teamId: string, rows: readonly RotationValues[]): void {
    const entry = teams.get(teamId);
    if (!entry || entry.busy) return;
    entry.done = null;
    const checked = validateRotations(rows);
    if (!checked.ok) {
      // Nothing is sent while the browser finds a problem.
      entry.errors = checked.errors;
      changed();
      return;
    }
    entry.errors = {};
    entry.busy = true;
    changed();
    guard(api.putRotations(teamId, checked.body), (result) => {
      if (result.ok) afterChange(teamId, entry, 'Rota saved.');
      else {
        entry.busy = false;
        entry.errors = rotaServerErrors(result.failure);
      }
    });
  }

  function requestFeed(): void {
    if (feed.busy) return;
    feed = { busy: true, url: null, error: null };
    changed();
    guard(api.feedToken(), (result) => {
      feed = result.ok
        ? { busy: false, url: `${deps.origin}${result.data.feedPath}`, error: null }
        : { busy: false, url: null, error: `Could not make a calendar link (${result.failure.code}).` };
    });
  }

  // --- my devices ------------------------------------------------------------------------------------
  const devices: DevicesData & { at: number; loading: boolean } = {
    devices: null,
    contact: null,
    error: null,
    contactErrors: {},
    contactBusy: false,
    contactDone: null,
    contactVersion: 0,
    test: { busy: false, receipts: null, error: null },
    removeError: null,
    at: Number.NEGATIVE_INFINITY,
    loading: false,
  };

  function loadDevices(): void {
    devices.loading = true;
    devices.at = now();
    guard(Promise.all([api.devices(), api.contact()]), ([list, contact]) => {
      devices.loading = false;
      if (list.ok) devices.devices = list.data;
      if (contact.ok) {
        if (JSON.stringify(contact.data) !== JSON.stringify(devices.contact)) devices.contactVersion += 1;
        devices.contact = contact.data;
      }
      const failed = [list, contact].find((r): r is Failure => !r.ok);
      devices.error = failed ? failureText('your devices', failed) : null;
    });
  }

  function removeDevice(deviceId: string): void {
    devices.removeError = null;
    guard(api.removeDevice(deviceId), (result) => {
      if (!result.ok)
        devices.removeError =
          result.failure.code === 'DEVICE_NOT_FOUND'
            ? 'That device was already removed.'
            : `Could not remove the device (${result.failure.code}).`;
      loadDevices();
    });
  }

  function saveContact(values: { email: string; smsNumber: string }): void {
    if (devices.contactBusy) return;
    devices.contactDone = null;
    const checked = validateContact(values);
    if (!checked.ok) {
      devices.contactErrors = checked.errors;
      changed();
      return;
    }
    devices.contactErrors = {};
    devices.contactBusy = true;
    changed();
    guard(api.putContact(checked.body), (result) => {
      devices.contactBusy = false;
      if (result.ok) {
        devices.contact = result.data;
        devices.contactVersion += 1;
        devices.contactDone = 'Saved.';
      } else devices.contactErrors = contactServerErrors(result.failure);
    });
  }

  function testPage(): void {
    if (devices.test.busy) return;
    devices.test = { busy: true, receipts: null, error: null };
    changed();
    guard(api.testPage(), (result) => {
      devices.test = result.ok
        ? { busy: false, receipts: result.data.receipts, error: null }
        : {
            busy: false,
            receipts: null,
            error:
              result.failure.code === 'NETWORK'
                ? 'Could not reach the server: no test alert was sent.'
                : `The server did not send a test alert (${result.failure.code}).`,
          };
      loadDevices();
    });
  }

  // --- an alert's paging story ----------------------------------------------------------------------
  let alert: (AlertPagingData & { at: number; loading: boolean }) | null = null;

  function loadAlert(alertId: string): void {
    const entry =
      alert?.alertId === alertId
        ? alert
        : { alertId, events: null, eventsError: null, path: null, pathNote: null, at: 0, loading: false };
    alert = entry;
    entry.loading = true;
    entry.at = now();
    guard(Promise.all([api.events(alertId), api.paging(alertId)]), ([events, path]) => {
      entry.loading = false;
      if (events.ok) {
        entry.events = events.data;
        entry.eventsError = null;
      } else
        entry.eventsError =
          events.failure.code === 'ALERT_NOT_FOUND'
            ? 'No events recorded for this alert.'
            : failureText('the receipts', events);
      if (path.ok) {
        entry.path = path.data;
        entry.pathNote = null;
      } else
        entry.pathNote =
          path.failure.code === 'ALERT_NOT_FOUND'
            ? 'This alert was never paged: it reaches the consoles only.'
            : failureText('the escalation path', path);
    });
  }

  /** `me`: the logged-in user, whom "I take this shift" puts on call (null without a login: refused). */
  function dispatch(action: OncallAction, me: string | null): void {
    if (stopped) return;
    switch (action.kind) {
      case 'take':
        if (me !== null) takeShift(action.teamId, action, me);
        return;
      case 'cancel':
        cancelOverride(action.teamId, action.overrideId);
        return;
      case 'saveRotations':
        saveRotations(action.teamId, action.rows);
        return;
      case 'feedToken':
        requestFeed();
        return;
      case 'removeDevice':
        removeDevice(action.deviceId);
        return;
      case 'saveContact':
        saveContact(action);
        return;
      case 'testPage':
        testPage();
        return;
      case 'devicesChanged':
        loadDevices();
        return;
    }
  }

  return {
    dispatch,
    /** Who is on call now in each of these teams (the header); asked again at the next handoff. */
    header: headerFor,
    team,
    takeShift,
    cancelOverride,
    saveRotations,
    feed: (): FeedState => feed,
    requestFeed,
    devices(): DevicesData {
      if (!devices.loading && now() - devices.at >= PAGE_REFRESH_MS) loadDevices();
      return devices;
    },
    reloadDevices: loadDevices,
    removeDevice,
    saveContact,
    testPage,
    alertPaging(alertId: string): AlertPagingData {
      if (alert?.alertId !== alertId || (!alert.loading && now() - alert.at >= ALERT_REFRESH_MS))
        loadAlert(alertId);
      return alert as AlertPagingData;
    },
    /** Leaving a page: replies still in flight are dropped, and the page's notes go. */
    leave(): void {
      generation += 1;
      // Whatever was in flight is dropped: the page asks again when it is opened again.
      for (const entry of teams.values()) {
        entry.at = Number.NEGATIVE_INFINITY;
        entry.loading = false;
        entry.busy = false;
        entry.done = null;
        entry.errors = {};
      }
      devices.at = Number.NEGATIVE_INFINITY;
      devices.loading = false;
      devices.contactBusy = false;
      devices.test = { busy: false, receipts: null, error: null };
      devices.contactDone = null;
      alert = null;
      feed = { busy: false, url: null, error: null };
    },
    stop(): void {
      stopped = true;
      generation += 1;
    },
  };
}

export type OncallLoader = ReturnType<typeof createOncallLoader>;
