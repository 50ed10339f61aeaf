import { TEST_IDS } from '../testids.js';
import type { AlertChipView, Level, PumpCardView } from '../view.js';
import { h, reconcileChildren, setAttr, setText } from './dom.js';
import { offlineIcon, priorityIcon } from './icons.js';

interface Card {
  article: HTMLElement;
  title: HTMLElement;
  titleLink: HTMLAnchorElement | null;
  hub: HTMLElement;
  connectivity: HTMLElement;
  order: HTMLElement;
  drug: HTMLElement;
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
  const titleLink = linked ? h('a', { class: 'pump-link', href: view.href }) : null;
  const title = h('h3', { id: titleId, class: 'pump-id' }, ...(titleLink ? [titleLink] : []));
  const hub = h('span', { class: 'pump-hub' });
  const connectivity = h('span', { class: 'connectivity' });
  const drug = h('strong', { class: 'drug' });
  const orderText = h('span', { class: 'order-text' });
  const orderWarning = h('span', { class: 'order-warning' });
  const order = h('p', { class: 'order' }, drug, ' ', orderText, orderWarning);
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
    h('header', { class: 'pump-head' }, h('div', {}, title, hub), connectivity),
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
    titleLink,
    hub,
    connectivity,
    order,
    drug,
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
      view.online && !view.linkDown ? 'online' : 'offline',
      view.worstUnacknowledged ? 'unacknowledged' : '',
    ]
      .filter(Boolean)
      .join(' '),
  );
  setAttr(article, 'data-online', String(view.online));
  setAttr(article, 'data-link', view.linkDown ? 'down' : 'up');
  if (card.titleLink) {
    setText(card.titleLink, view.pumpId);
    setAttr(card.titleLink, 'href', view.href);
    setAttr(card.titleLink, 'aria-label', `${view.pumpId} on ${view.hubId}: charts and details`);
  } else {
    setText(card.title, view.pumpId);
  }
  setText(card.hub, `on ${view.hubId}`);
  if (card.connectivity.dataset.value !== view.connectivity) {
    card.connectivity.dataset.value = view.connectivity;
    const ok = view.online && !view.linkDown;
    card.connectivity.replaceChildren(
      ok ? h('span', { class: 'dot', 'aria-hidden': 'true' }) : offlineIcon(),
      view.connectivity,
    );
  }
  card.order.hidden = view.drugText === null;
  setText(card.drug, view.drugText ?? '');
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

/** The pump grid: one card per pump, kept by pump key and updated in place. */
export function createPumpGrid(grid: HTMLElement, empty: HTMLElement) {
  const cards = new Map<string, Card>();
  return {
    render(views: readonly PumpCardView[], emptyText: string): void {
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
