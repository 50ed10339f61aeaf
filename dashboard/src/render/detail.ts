import type { ChartFrame, DetailData } from '../controller/detail-loader.js';
import { formatClock } from '../format.js';
import { type AlertMarker, HISTORY_RANGES } from '../history.js';
import { PRIORITY_LABELS, RULE_LABELS } from '../labels.js';
import { TEST_IDS } from '../testids.js';
import type { PumpCardView } from '../view.js';
import { createPumpCharts, type PumpCharts } from './charts.js';
import { h, setAttr, setText } from './dom.js';
import { priorityIcon } from './icons.js';
import { createPumpCard } from './pumps.js';
import { createRuleSettings } from './rule-settings.js';
import type { View } from './view.js';

/**
 * The pump detail view (`#/pumps/{pumpId}`): the pump's card, a range from 15 min to 7 days, and charts
 * of rate, volume and pressure with the pump's alerts as markers. It only draws what the controller's
 * detail loader (controller/detail-loader.ts) fetched, and says which range was chosen.
 */

export interface DetailViewModel extends DetailData {
  pumpId: string;
  heading: string;
  card: PumpCardView | null;
  /** Shown when the pump is not among those the server reports now. */
  missingText: string | null;
}

export function createPumpDetail(
  section: HTMLElement,
  actions: { onRange(rangeId: string): void },
): View<DetailViewModel | null> & { focusHeading(): void } {
  const abort = new AbortController();
  const { signal } = abort;
  let shownPumpId: string | null = null;
  let drawn: ChartFrame | null = null;
  let charts: PumpCharts | null = null;
  let card: ReturnType<typeof createPumpCard> | null = null;

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
    input.addEventListener('change', () => input.checked && actions.onRange(r.id), { signal });
    radios.set(r.id, input);
    rangeGroup.append(h('span', { class: 'range' }, input, h('label', { for: `range-${r.id}` }, r.label)));
  }
  const status = h('p', { class: 'chart-status', role: 'status', 'data-testid': TEST_IDS.chartStatus });
  const chartSlot = h('div', {});
  const markerHeading = h('h3', { class: 'marker-heading' }, 'Alerts in this range');
  const markerList = h('ol', { class: 'marker-list' });
  const markerEmpty = h('p', { class: 'empty' }, 'No alerts in this range.');

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

  const renderMarkers = (markers: readonly AlertMarker[]) => {
    const key = JSON.stringify(markers);
    if (markerList.dataset.key !== key) {
      markerList.dataset.key = key;
      markerList.replaceChildren(...markers.map(markerItem));
    }
    markerEmpty.hidden = markers.length > 0;
  };

  /** A new pump: new charts and card, nothing of the previous pump's left. */
  const clear = () => {
    charts?.destroy();
    charts = null;
    chartSlot.replaceChildren();
    card = null;
    cardSlot.replaceChildren();
    drawn = null;
    renderMarkers([]);
    ruleSettings.update(null);
  };

  return {
    element: section,
    update(m) {
      if (!m) {
        if (shownPumpId === null && section.hidden) return;
        section.hidden = true;
        shownPumpId = null;
        clear();
        return;
      }
      section.hidden = false;
      if (m.pumpId !== shownPumpId) {
        shownPumpId = m.pumpId;
        clear();
        charts = createPumpCharts();
        chartSlot.replaceChildren(charts.element);
      }
      setText(heading, m.heading);
      if (m.card) {
        if (!card) {
          card = createPumpCard(m.card, false);
          card.element.setAttribute('data-testid', TEST_IDS.pumpDetailCard);
          cardSlot.replaceChildren(card.element);
        }
        card.update(m.card);
      }
      missing.hidden = m.missingText === null;
      setText(missing, m.missingText ?? '');
      ruleSettings.update(m.ruleSettings);
      for (const [id, input] of radios) input.checked = id === m.range.id;
      setText(status, m.status.text);
      setAttr(status, 'data-state', m.status.state);
      setAttr(status, 'data-source', m.status.source);
      if (m.chart && m.chart !== drawn && charts) {
        drawn = m.chart;
        charts.update(m.chart.data, m.chart.markers, { from: m.chart.from, to: m.chart.to });
        renderMarkers(m.chart.markers);
      }
    },
    focusHeading() {
      heading.focus();
    },
    destroy() {
      abort.abort();
      clear();
      section.replaceChildren();
      section.hidden = true;
    },
  };
}

function markerItem(mk: AlertMarker): HTMLLIElement {
  return h(
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
  );
}
