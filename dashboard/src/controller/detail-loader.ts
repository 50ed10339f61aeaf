import { type Alert, alertSchema, type PumpParamsResponse, type PumpView } from '@pumpwatch/protocol';
import { z } from 'zod';
import { errorMessage, readApiError } from '../errors.js';
import { formatClock } from '../format.js';
import {
  type AlertMarker,
  alertMarkers,
  appendSample,
  type ChartData,
  chartData,
  findRange,
  type HistoryRange,
  type HistorySource,
  historyUrl,
  parseHistory,
  trimBefore,
} from '../history.js';
import { fetchPumpParams, type RuleSettingsView, ruleSettingsView } from '../rule-settings.js';

/**
 * The pump detail view's data (`#/pumps/{pumpId}`), apart from its DOM: the history for the range, the
 * pump's alerts in it (`GET /api/alerts?pumpId=`) and its rule settings, re-read on a clock that is
 * passed in. Raw ranges also take each new sample from the live pump frames; downsampled ranges are
 * re-read every minute.
 */

export type GetJson = (url: string) => Promise<{ ok: boolean; status: number; json: unknown }>;

export interface DetailInput {
  pumpId: string;
  rangeId: string | null;
  /** The pump as the console knows it; undefined when it is not in the snapshot. */
  pump: PumpView | undefined;
  /** Every alert the console holds (open and recently resolved), for markers newer than the history. */
  alerts: readonly Alert[];
  serverNow: number;
}

/** One drawing of the charts; a new object each time they are to be redrawn. */
export interface ChartFrame {
  data: ChartData;
  markers: readonly AlertMarker[];
  from: number;
  to: number;
}

export interface DetailData {
  range: HistoryRange;
  status: { text: string; state: 'loading' | 'ready' | 'error'; source: HistorySource | null };
  chart: ChartFrame | null;
  ruleSettings: RuleSettingsView | null;
}

const alertListSchema = z.array(alertSchema);
const BUCKET_REFRESH_MS = 60_000;
const LIVE_REDRAW_MS = 1_000;
/** A setting an admin changes while the view stays open shows within this long. */
const PARAMS_REFRESH_MS = 60_000;

export function createDetailLoader(deps: { getJson: GetJson; now: () => number; onChange(): void }) {
  const { getJson, now } = deps;
  let pumpId: string | null = null;
  let range: HistoryRange = findRange(null);
  let token = 0;
  let data: ChartData | null = null;
  let historyAlerts: readonly Alert[] = [];
  let loadedAt = 0;
  let lastDrawAt = 0;
  let anchorTo = 0;
  let input: DetailInput | null = null;
  let params: PumpParamsResponse | null = null;
  let paramsToken = 0;
  let paramsLoadedAt = 0;
  let status: DetailData['status'] = { text: '', state: 'loading', source: null };
  let chart: ChartFrame | null = null;

  const draw = (m: DetailInput) => {
    if (!data) return;
    const to = Math.max(m.serverNow, m.pump?.latest?.ts ?? 0, anchorTo);
    const from = to - range.ms;
    data = trimBefore(data, from);
    chart = { data, markers: alertMarkers(m.pumpId, [historyAlerts, m.alerts], from, to), from, to };
    lastDrawAt = now();
  };

  const load = async (m: DetailInput) => {
    const mine = ++token;
    loadedAt = now();
    status = { text: `Loading the last ${range.label}…`, state: 'loading', source: status.source };
    const anchor = Math.max(m.serverNow, m.pump?.latest?.ts ?? 0);
    // Only this pump's alerts from the range's start: no `to`, for the reason historyUrl gives.
    const from = Math.max(0, Math.floor(anchor - range.ms));
    const alertsUrl = `/api/alerts?status=all&pumpId=${encodeURIComponent(m.pumpId)}&from=${from}`;
    const [history, alerts] = await Promise.all([
      getJson(historyUrl(m.pumpId, range, anchor)).catch(() => null),
      getJson(alertsUrl).catch(() => null),
    ]);
    if (mine !== token) return;
    historyAlerts = [];
    let alertsNote = '';
    if (alerts?.ok) {
      const parsed = alertListSchema.safeParse(alerts.json);
      if (parsed.success) historyAlerts = parsed.data;
      else alertsNote = ' Alert history unreadable: markers show open alerts only.';
    } else {
      alertsNote = ' Alert history not available: markers show open alerts only.';
    }
    if (!history?.ok) {
      const failure = history ? readApiError(history.status, history.json) : { code: 'NETWORK' };
      fail(errorMessage('history', failure, { pumpId: m.pumpId }));
    } else {
      const parsed = parseHistory(history.json);
      if (!parsed.ok) {
        fail(`The server sent history this console cannot read (${parsed.reason}).`);
      } else {
        data = chartData(parsed.response, range.stepMs, m.pump?.latest ?? null);
        anchorTo = anchor;
        status = { text: describe(data, range) + alertsNote, state: 'ready', source: data.source };
        if (input) draw(input);
      }
    }
    deps.onChange();
  };

  // Apart from the history: the settings do not depend on the range, and a failure only hides them.
  const loadParams = async (id: string) => {
    const mine = ++paramsToken;
    paramsLoadedAt = now();
    const next = await fetchPumpParams(id, getJson);
    if (mine !== paramsToken) return;
    params = next;
    deps.onChange();
  };

  const fail = (text: string) => {
    data = null;
    status = { text, state: 'error', source: status.source };
  };

  /** Forgets the pump shown: the next `update` starts afresh, and late replies are ignored. */
  const reset = () => {
    token++;
    paramsToken++;
    pumpId = null;
    input = null;
    data = null;
    chart = null;
    historyAlerts = [];
    anchorTo = 0;
    params = null;
    status = { text: '', state: 'loading', source: null };
  };

  /** Starts the loads and redraws that are due; called on every render of the detail view. */
  const update = (m: DetailInput): DetailData => {
    input = m;
    const nextRange = findRange(m.rangeId);
    const pumpChanged = m.pumpId !== pumpId;
    if (pumpChanged) {
      reset();
      input = m;
      pumpId = m.pumpId;
    }
    if (pumpChanged || now() - paramsLoadedAt >= PARAMS_REFRESH_MS) void loadParams(m.pumpId);
    if (pumpChanged || nextRange.id !== range.id) {
      range = nextRange;
      void load(m);
    } else if (!data) {
      if (range.stepMs === null && now() - loadedAt >= BUCKET_REFRESH_MS) void load(m);
    } else if (range.stepMs !== null) {
      if (now() - loadedAt >= BUCKET_REFRESH_MS) void load(m);
      else if (now() - lastDrawAt >= LIVE_REDRAW_MS) draw(m);
    } else {
      const latest = m.pump?.latest;
      if (latest) data = appendSample(data, latest);
      if (now() - lastDrawAt >= LIVE_REDRAW_MS) draw(m);
    }
    return {
      range,
      status,
      chart,
      ruleSettings: params ? ruleSettingsView(params, m.serverNow) : null,
    };
  };

  return { update, reset };
}

export type DetailLoader = ReturnType<typeof createDetailLoader>;

function describe(data: ChartData, range: HistoryRange): string {
  const n = data.x.length;
  const first = data.x[0];
  const last = data.x[n - 1];
  const span =
    first !== undefined && last !== undefined ? `, ${formatClock(first)}–${formatClock(last)}` : '';
  const step = range.stepMs === null ? '' : `${Math.round(range.stepMs / 60_000)} min`;
  const what =
    data.source === 'samples'
      ? `${n} sample${n === 1 ? '' : 's'}, live`
      : data.source === 'buckets'
        ? `${n} buckets of ${step} (min / mean / max from the server)`
        : `${n} buckets of ${step}, averaged in the browser (this server does not downsample)`;
  const cut = data.truncated
    ? ' The server capped the samples: the newest part of the range may be missing; choose a shorter range.'
    : '';
  return `Last ${range.label}: ${what}${span}.${cut}`;
}
