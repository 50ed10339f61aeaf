import { TEST_IDS } from '../testids.js';
import type { AlertChipView, Level, PumpCardView } from '../view.js';
import { h, reconcileChildren, setAttr, setText } from './dom.js';
import { offlineIcon, priorityIcon } from './icons.js';
import type { View } from './view.js';

interface Card {
  article: HTMLElement;
  title: HTMLElement;
  pumpId: HTMLElement;
  titleLink: HTMLAnchorElement | null;
  hub: HTMLElement;
  connectivity: HTMLElement;
  order: HTMLElement;
  drug: HTMLElement;
  patientLink: HTMLAnchorElement;
  therapy: HTMLElement;
  clockWarning: HTMLElement;
  orderText: HTMLElement;
  orderWarning: HTMLElement;
  state: HTMLElement;
  rate: HTMLElement;
  delivered: HTMLElement;
  volume: HTMLElement;
  volumeBar: HTMLElement;
  remaining: HTMLElement;
  pressure: HTMLElement;
  pressureBar: HTMLElement;
  battery: HTMLElement;
  lastSeen: HTMLElement;
  alerts: HTMLUListElement;
  alertsKey: string;
}

let nextId = 0;

function bar(label: string, role: 'progressbar' | 'meter'): HTMLElement {
  const fill = h('span', { class: 'bar-fill' });
  return h(
    'div',
    { class: 'bar', role, 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': '100' },
    fill,
  );
}

function setBar(el: HTMLElement, value: number | null, text: string, level: Level = 'ok'): void {
  el.hidden = value === null;
  if (value === null) return;
  const pct = Math.round(value * 100);
  setAttr(el, 'aria-valuenow', String(pct));
  setAttr(el, 'aria-valuetext', text);
  setAttr(el, 'data-level', level);
  const fill = el.firstElementChild as HTMLElement;
  const width = `${pct}%`;
  if (fill.style.width !== width) fill.style.width = width;
}

function metric(term: string, value: HTMLElement, ...extra: HTMLElement[]): HTMLElement {
  return h('div', { class: 'metric' }, h('dt', {}, term), value, ...extra);
}

/**
 * One pump card. `linked`: the pump id links to its detail view (the grid); the detail view shows the
 * same card without the link.
 */
function build(view: PumpCardView, linked: boolean): Card {
  const titleId = `pump-title-${++nextId}`;
  // Patient first, pump second (issue 13): the patient (or "Unassigned pump") is the card's title and
  // the drug under it; the pump id (the link to the detail view) and its hub come smaller below.
  const title = h('h3', { id: titleId, class: 'pump-patient', 'data-testid': TEST_IDS.pumpPatient });
  const drug = h('strong', { class: 'drug' });
  const patientLink = h('a', { class: 'patient-link' });
  const therapy = h('p', { class: 'pump-therapy', 'data-testid': TEST_IDS.therapyLine });
  const clockWarning = h('p', { class: 'clock-warning', 'data-testid': TEST_IDS.clockWarning });
  const titleLink = linked ? h('a', { class: 'pump-link', href: view.href }) : null;
  const pumpId = h('span', { class: 'pump-id' }, ...(titleLink ? [titleLink] : []));
  const hub = h('span', { class: 'pump-hub' });
  const connectivity = h('span', { class: 'connectivity' });
  const orderText = h('span', { class: 'order-text' });
  const orderWarning = h('span', { class: 'order-warning' });
  const order = h('p', { class: 'order' }, orderText, orderWarning);
  const state = h('span', { class: 'pump-state' });
  const rate = h('dd', { 'data-field': 'programmed' });
  const delivered = h('dd', { 'data-field': 'delivered' });
  const volume = h('dd', { 'data-field': 'volume' });
  const volumeBar = bar('Volume infused of VTBI', 'progressbar');
  const remaining = h('p', { class: 'remaining', 'data-field': 'remaining' });
  const pressure = h('dd', { 'data-field': 'pressure' });
  const pressureBar = bar('Pressure of occlusion limit', 'meter');
  const battery = h('dd', { 'data-field': 'battery' });
  const lastSeen = h('p', { class: 'last-seen', 'data-field': 'last-seen' });
  const alerts = h('ul', { class: 'pump-alerts', 'aria-label': 'Open alerts of this pump' });
  const article = h(
    'article',
    {
      class: 'pump-card',
      'data-testid': TEST_IDS.pumpCard,
      'data-pump-id': view.pumpId,
      'data-hub-id': view.hubId,
      'aria-labelledby': titleId,
    },
    h(
      'header',
      { class: 'pump-head' },
      h(
        'div',
        { class: 'pump-who' },
        title,
        drug,
        therapy,
        h('p', { class: 'pump-ident' }, pumpId, ' ', hub),
      ),
      connectivity,
    ),
    clockWarning,
    order,
    state,
    h(
      'dl',
      { class: 'metrics' },
      metric('Programmed rate', rate),
      metric('Delivered rate', delivered),
      metric('Volume', volume, volumeBar, remaining),
      metric('Pressure / limit', pressure, pressureBar),
      metric('Battery', battery),
    ),
    alerts,
    lastSeen,
  );
  return {
    article,
    title,
    pumpId,
    titleLink,
    hub,
    connectivity,
    order,
    drug,
    patientLink,
    therapy,
    clockWarning,
    orderText,
    orderWarning,
    state,
    rate,
    delivered,
    volume,
    volumeBar,
    remaining,
    pressure,
    pressureBar,
    battery,
    lastSeen,
    alerts,
    alertsKey: '',
  };
}

function chip(alert: AlertChipView): HTMLLIElement {
  return h(
    'li',
    { class: `chip prio-${alert.priority} status-${alert.status}` },
    priorityIcon(alert.priority),
    h('span', { class: 'visually-hidden' }, `${alert.priority} priority: `),
    alert.text,
  );
}

function update(card: Card, view: PumpCardView): void {
  const { article } = card;
  setAttr(
    article,
    'class',
    [
      'pump-card',
      view.worst ? `worst-${view.worst}` : 'worst-none',
      view.online ? 'online' : 'offline',
      view.worstUnacknowledged ? 'unacknowledged' : '',
    ]
      .filter(Boolean)
      .join(' '),
  );
  // A pump moves between hubs (an admin's PUT /api/pumps/{pumpId}/hub) and keeps its card.
  setAttr(article, 'data-hub-id', view.hubId);
  setAttr(article, 'data-online', String(view.online));
  setAttr(article, 'data-connectivity', view.connectivityState);
  setAttr(article, 'data-link', view.linkDown ? 'down' : 'up');
  setAttr(article, 'data-assigned', String(view.assigned));
  if (view.patientHref) {
    setText(card.patientLink, view.patientText);
    setAttr(card.patientLink, 'href', view.patientHref);
    if (card.title.firstChild !== card.patientLink || card.title.childNodes.length !== 1)
      card.title.replaceChildren(card.patientLink);
  } else {
    setText(card.title, view.patientText);
  }
  setText(card.therapy, view.therapyText ?? '');
  card.therapy.hidden = view.therapyText === null;
  setText(card.clockWarning, view.clockWarning ?? '');
  card.clockWarning.hidden = view.clockWarning === null;
  if (card.titleLink) {
    setText(card.titleLink, view.pumpId);
    setAttr(card.titleLink, 'href', view.href);
    setAttr(
      card.titleLink,
      'aria-label',
      `${view.pumpId} on ${view.hubId} (${view.patientText}): charts and details`,
    );
  } else {
    setText(card.pumpId, view.pumpId);
  }
  setText(card.hub, `on ${view.hubId}`);
  if (card.connectivity.dataset.value !== view.connectivity) {
    card.connectivity.dataset.value = view.connectivity;
    card.connectivity.replaceChildren(
      view.online ? h('span', { class: 'dot', 'aria-hidden': 'true' }) : offlineIcon(),
      view.connectivity,
    );
  }
  setText(card.drug, view.drugText ?? '');
  card.drug.hidden = view.drugText === null;
  card.order.hidden = view.orderText === null;
  setText(card.orderText, view.orderText ?? '');
  setText(card.orderWarning, view.orderWarning ?? '');
  card.orderWarning.hidden = view.orderWarning === null;
  setText(card.state, view.stateLabel);
  setAttr(card.state, 'data-state', view.state);
  setText(card.rate, view.rateText);
  setText(card.delivered, view.deliveredText);
  setAttr(card.delivered, 'data-level', view.deliveredLevel);
  setText(card.volume, view.volumeText);
  setBar(card.volumeBar, view.volumeFraction, view.volumeText);
  setText(card.remaining, view.remainingText ?? '');
  card.remaining.hidden = view.remainingText === null;
  setText(card.pressure, view.pressureText);
  setAttr(card.pressure, 'data-level', view.pressureLevel);
  setBar(card.pressureBar, view.pressureFraction, view.pressureText, view.pressureLevel);
  setText(card.battery, view.batteryText);
  setAttr(card.battery, 'data-level', view.batteryLevel);
  setText(card.lastSeen, view.lastSeenText);

  const alertsKey = JSON.stringify(view.alerts);
  if (alertsKey !== card.alertsKey) {
    card.alertsKey = alertsKey;
    card.alerts.replaceChildren(...view.alerts.map(chip));
    card.alerts.hidden = view.alerts.length === 0;
  }
}

/** A single card kept up to date in place (the pump detail view's header). */
export function createPumpCard(view: PumpCardView, linked: boolean) {
  const card = build(view, linked);
  update(card, view);
  return { element: card.article, update: (next: PumpCardView) => update(card, next) };
}

/** The pump grid: one card per pump, kept by pump id and updated in place. */
export interface GridModel {
  cards: readonly PumpCardView[];
  emptyText: string;
}

export function createPumpGrid(grid: HTMLElement, empty: HTMLElement): View<GridModel> {
  const cards = new Map<string, Card>();
  return {
    element: grid,
    destroy() {
      cards.clear();
      grid.replaceChildren();
    },
    update({ cards: views, emptyText }) {
      const ordered: HTMLElement[] = [];
      const seen = new Set<string>();
      for (const view of views) {
        let card = cards.get(view.key);
        if (!card) {
          card = build(view, true);
          cards.set(view.key, card);
        }
        update(card, view);
        ordered.push(card.article);
        seen.add(view.key);
      }
      for (const key of [...cards.keys()]) if (!seen.has(key)) cards.delete(key);
      reconcileChildren(grid, ordered);
      setText(empty, emptyText);
      empty.hidden = views.length > 0;
    },
  };
}
