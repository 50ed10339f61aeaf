import {
  type Alert,
  alertSchema,
  apiErrorSchema,
  type PumpParamsResponse,
  type PumpView,
} from '@pumpwatch/protocol';
import { z } from 'zod';
import { formatClock } from '../format.js';
import {
  type AlertMarker,
  alertMarkers,
  appendSample,
  type ChartData,
  chartData,
  findRange,
  HISTORY_RANGES,
  type HistoryRange,
  historyUrl,
  parseHistory,
  trimBefore,
} from '../history.js';
import { PRIORITY_LABELS, RULE_LABELS } from '../labels.js';
import { pumpHref } from '../route.js';
import { fetchPumpParams, ruleSettingsView } from '../rule-settings.js';
import { TEST_IDS } from '../testids.js';
import type { PumpCardView } from '../view.js';
import { createPumpCharts, type PumpCharts } from './charts.js';
import { h, setAttr, setText } from './dom.js';
import { priorityIcon } from './icons.js';
import { createPumpCard } from './pumps.js';
import { createRuleSettings } from './rule-settings.js';

/**
 * The pump detail view (`#/pumps/{pumpId}`): the pump's card, a range from 15 min to 7 days, and charts
 * of rate, volume and pressure from the history API with the pump's alerts as markers. Raw ranges also
 * take each new sample from the live pump frames; downsampled ranges are re-read every minute.
 */

export interface DetailModel {
  pumpId: string;
  rangeId: string | null;
  /** The pump as the console knows it; undefined when it is not in the snapshot. */
  pump: PumpView | undefined;
  card: PumpCardView | null;
  /** Every alert the console holds (open and recently resolved), for markers newer than the history. */
  alerts: readonly Alert[];
  serverNow: number;
}

export type GetJson = (url: string) => Promise<{ ok: boolean; status: number; json: unknown }>;

const alertListSchema = z.array(alertSchema);
const BUCKET_REFRESH_MS = 60_000;
const LIVE_REDRAW_MS = 1_000;
/** A setting an admin changes while the view stays open shows within this long. */
const PARAMS_REFRESH_MS = 60_000;

export function createPumpDetail(section: HTMLElement, getJson: GetJson) {
  let shownPumpId: string | null = null;
  let range: HistoryRange = findRange(null);
  let token = 0;
  let data: ChartData | null = null;
  let historyAlerts: readonly Alert[] = [];
  let loadedAt = 0;
  let lastDrawAt = 0;
  let anchorTo = 0;
  let model: DetailModel | null = null;
  let ruleParams: PumpParamsResponse | null = null;
  let paramsToken = 0;
  let paramsLoadedAt = 0;

  const heading = h('h2', { id: 'detail-heading', class: 'detail-heading', tabindex: '-1' });
  const back = h('a', { href: '#/', class: 'back-link' }, '← All pumps');
  const cardSlot = h('div', { class: 'detail-card' });
  const missing = h('p', { class: 'empty' });
  const ruleSettings = createRuleSettings();
  const rangeGroup = h('fieldset', { class: 'ranges' }, h('legend', {}, 'Range'));
  const radios = new Map<string, HTMLInputElement>();
  for (const r of HISTORY_RANGES) {
    const input = h('input', {
      type: 'radio',
      name: 'history-range',
      value: r.id,
      id: `range-${r.id}`,
      'data-testid': TEST_IDS.rangeOption,
    });
    input.addEventListener('change', () => {
      if (input.checked && shownPumpId !== null) location.hash = pumpHref(shownPumpId, r.id);
    });
    radios.set(r.id, input);
    rangeGroup.append(h('span', { class: 'range' }, input, h('label', { for: `range-${r.id}` }, r.label)));
  }
  const status = h('p', { class: 'chart-status', role: 'status', 'data-testid': TEST_IDS.chartStatus });
  const chartSlot = h('div', {});
  const markerHeading = h('h3', { class: 'marker-heading' }, 'Alerts in this range');
  const markerList = h('ol', { class: 'marker-list' });
  const markerEmpty = h('p', { class: 'empty' }, 'No alerts in this range.');
  let charts: PumpCharts | null = null;
  let card: ReturnType<typeof createPumpCard> | null = null;

  section.append(
    h('p', { class: 'detail-nav' }, back),
    heading,
    cardSlot,
    missing,
    rangeGroup,
    status,
    chartSlot,
    markerHeading,
    markerEmpty,
    markerList,
    // Last: it is read after the view opens, and appearing higher up it moved the range buttons under
    // a pointer about to press one (a browser test clicked the section instead of "7 days").
    ruleSettings.element,
  );

  const markersNow = (m: DetailModel, from: number, to: number): AlertMarker[] => {
    const hubId = m.pump?.hubId ?? historyAlerts.find((a) => a.pumpId === m.pumpId)?.hubId ?? '';
    return alertMarkers(m.pumpId, hubId, [historyAlerts, m.alerts], from, to);
  };

  const draw = (m: DetailModel) => {
    if (!charts || !data) return;
    const latestTs = m.pump?.latest?.ts ?? 0;
    const to = Math.max(m.serverNow, latestTs, anchorTo);
    const from = to - range.ms;
    data = trimBefore(data, from);
    const markers = markersNow(m, from, to);
    charts.update(data, markers, { from, to });
    renderMarkers(markers);
    lastDrawAt = Date.now();
  };

  const renderMarkers = (markers: readonly AlertMarker[]) => {
    const items = markers.map((mk) =>
      h(
        'li',
        {
          class: `marker prio-${mk.priority}`,
          'data-testid': TEST_IDS.alertMarker,
          'data-alert-id': mk.id,
          'data-priority': mk.priority,
        },
        priorityIcon(mk.priority),
        h('span', { class: 'visually-hidden' }, `${PRIORITY_LABELS[mk.priority]}: `),
        `${formatClock(mk.at)} ${RULE_LABELS[mk.rule]}`,
        h(
          'span',
          { class: 'marker-status' },
          mk.status === 'resolved' && mk.resolvedAt !== null
            ? ` — resolved ${formatClock(mk.resolvedAt)}`
            : ` — ${mk.status}`,
        ),
      ),
    );
    const key = JSON.stringify(markers);
    if (markerList.dataset.key !== key) {
      markerList.dataset.key = key;
      markerList.replaceChildren(...items);
    }
    markerEmpty.hidden = markers.length > 0;
  };

  const load = async (m: DetailModel) => {
    const mine = ++token;
    loadedAt = Date.now();
    setText(status, `Loading the last ${range.label}…`);
    setAttr(status, 'data-state', 'loading');
    const anchor = Math.max(m.serverNow, m.pump?.latest?.ts ?? 0);
    const [history, alerts] = await Promise.all([
      getJson(historyUrl(m.pumpId, range, anchor)).catch(() => null),
      getJson(`/api/alerts?status=all`).catch(() => null),
    ]);
    if (mine !== token) return;
    historyAlerts = [];
    let alertsNote = '';
    if (alerts?.ok) {
      const parsed = alertListSchema.safeParse(alerts.json);
      if (parsed.success) historyAlerts = parsed.data.filter((a) => a.pumpId === m.pumpId);
      else alertsNote = ' Alert history unreadable: markers show open alerts only.';
    } else {
      alertsNote = ' Alert history not available: markers show open alerts only.';
    }
    if (!history) {
      fail('Could not reach the server for the history. Try another range or reload.');
      return;
    }
    if (!history.ok) {
      const error = apiErrorSchema.safeParse(history.json);
      const code = error.success ? error.data.error.code : `HTTP_${history.status}`;
      fail(
        code === 'PUMP_NOT_FOUND'
          ? `The server has no history for ${m.pumpId}.`
          : `Could not load the history (${code}).`,
      );
      return;
    }
    const parsed = parseHistory(history.json);
    if (!parsed.ok) {
      fail(`The server sent history this console cannot read (${parsed.reason}).`);
      return;
    }
    data = chartData(parsed.response, range.stepMs, m.pump?.latest ?? null);
    anchorTo = anchor;
    setText(status, describe(data, range) + alertsNote);
    setAttr(status, 'data-state', 'ready');
    setAttr(status, 'data-source', data.source);
    if (model) draw(model);
  };

  const showRuleSettings = (m: DetailModel) => {
    ruleSettings.update(ruleParams ? ruleSettingsView(ruleParams, m.serverNow) : null);
  };

  // Apart from the history: the settings do not depend on the range, and a failure only hides them.
  const loadParams = async (pumpId: string) => {
    const mine = ++paramsToken;
    paramsLoadedAt = Date.now();
    const params = await fetchPumpParams(pumpId, getJson);
    if (mine !== paramsToken) return;
    ruleParams = params;
    if (model) showRuleSettings(model);
  };

  const fail = (message: string) => {
    data = null;
    setText(status, message);
    setAttr(status, 'data-state', 'error');
  };

  const rebuild = (m: DetailModel) => {
    charts?.destroy();
    charts = createPumpCharts();
    chartSlot.replaceChildren(charts.element);
    card = null;
    cardSlot.replaceChildren();
    data = null;
    historyAlerts = [];
    anchorTo = 0;
    ruleParams = null;
    ruleSettings.update(null);
    setText(heading, `Pump ${m.pumpId}`);
  };

  return {
    render(m: DetailModel): void {
      model = m;
      section.hidden = false;
      const nextRange = findRange(m.rangeId);
      const pumpChanged = m.pumpId !== shownPumpId;
      if (pumpChanged) {
        shownPumpId = m.pumpId;
        rebuild(m);
      }
      if (pumpChanged || Date.now() - paramsLoadedAt >= PARAMS_REFRESH_MS) void loadParams(m.pumpId);
      showRuleSettings(m);
      for (const [id, input] of radios) input.checked = id === nextRange.id;
      if (m.card) {
        if (!card) {
          card = createPumpCard(m.card, false);
          card.element.setAttribute('data-testid', TEST_IDS.pumpDetailCard);
          cardSlot.replaceChildren(card.element);
        }
        card.update(m.card);
        setText(heading, `Pump ${m.pumpId} on ${m.card.hubId}`);
      }
      missing.hidden = m.pump !== undefined;
      setText(
        missing,
        `${m.pumpId} is not among the pumps this server reports now; its history may still show.`,
      );

      if (pumpChanged || nextRange.id !== range.id) {
        range = nextRange;
        void load(m);
        return;
      }
      if (!data) {
        if (range.stepMs !== null || Date.now() - loadedAt < BUCKET_REFRESH_MS) return;
        void load(m);
        return;
      }
      if (range.stepMs !== null) {
        if (Date.now() - loadedAt >= BUCKET_REFRESH_MS) void load(m);
        else if (Date.now() - lastDrawAt >= LIVE_REDRAW_MS) draw(m);
        return;
      }
      const latest = m.pump?.latest;
      if (latest) data = appendSample(data, latest);
      if (Date.now() - lastDrawAt >= LIVE_REDRAW_MS) draw(m);
    },
    hide(): void {
      if (shownPumpId === null && section.hidden) return;
      token++;
      paramsToken++;
      section.hidden = true;
      shownPumpId = null;
      model = null;
      charts?.destroy();
      charts = null;
      chartSlot.replaceChildren();
      card = null;
      cardSlot.replaceChildren();
      data = null;
      ruleParams = null;
      ruleSettings.update(null);
    },
    focusHeading(): void {
      heading.focus();
    },
  };
}

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
