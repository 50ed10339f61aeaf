import { TEST_IDS } from '../testids.js';
import type { AlertRowView } from '../view.js';
import { groupAlertRows, groupTitle } from './alert-groups.js';
import { h, reconcileChildren, setAttr, setText } from './dom.js';
import { priorityIcon } from './icons.js';
import type { View } from './view.js';

/** Per-row state of an acknowledgement or snooze in flight, owned by the console controller. */
export interface AckUi {
  busy: boolean;
  error: string | null;
  /** Which action is in flight; acknowledge when absent. */
  action?: 'ack' | 'snooze';
  /** A snooze kept by this console alone (browser time): its explanation stays until then. */
  localUntil?: number;
}

export interface InboxActions {
  onAck(alertId: string): void;
  onSnooze(alertId: string): void;
}

export interface InboxModel {
  rows: readonly AlertRowView[];
  acks: ReadonlyMap<string, AckUi>;
  emptyText: string;
  /** False for a viewer: no Acknowledge or Snooze buttons, a "view only" line instead. */
  canAct: boolean;
  /** Label of the snooze button, e.g. "Snooze 2 min" (the length is chosen in the header). */
  snoozeButtonText: string;
}

interface Row {
  li: HTMLLIElement;
  priority: string;
  badge: HTMLElement;
  patient: HTMLElement;
  patientLink: HTMLAnchorElement;
  drug: HTMLElement;
  therapy: HTMLElement;
  details: HTMLAnchorElement;
  rule: HTMLElement;
  pump: HTMLElement;
  message: HTMLElement;
  raised: HTMLElement;
  status: HTMLElement;
  notes: HTMLElement;
  escalation: HTMLElement;
  snooze: HTMLElement;
  error: HTMLElement;
  button: HTMLButtonElement;
  snoozeButton: HTMLButtonElement;
  viewOnly: HTMLElement;
}

/** Shown on a row a viewer cannot act on, in place of the buttons (the header says why at length). */
export const VIEW_ONLY_ROW_TEXT = 'View only: a nurse must acknowledge';

/** One pump's card: its heading and its rows' list (render/alert-groups.ts). */
interface Card {
  li: HTMLLIElement;
  title: HTMLElement;
  list: HTMLOListElement;
}

/**
 * The nurse's alert inbox: one card per pump, worst priority on top, one `<li>` per open alert in it,
 * in the order given. Rows are kept by alert id and cards by pump, both updated in place, so an
 * Acknowledge button keeps its focus while the list ticks and reorders.
 */
export function createAlertInbox(
  list: HTMLElement,
  empty: HTMLElement,
  actions: InboxActions,
): View<InboxModel> {
  const abort = new AbortController();
  const { signal } = abort;
  const rows = new Map<string, Row>();
  const cards = new Map<string, Card>();
  let snoozeButtonText = '';

  function buildCard(key: string): Card {
    const title = h('p', { class: 'alert-card-title', 'data-testid': TEST_IDS.alertCardTitle });
    const rowList = h('ol', { class: 'alert-card-rows' });
    const li = h(
      'li',
      { class: 'alert-card', 'data-testid': TEST_IDS.alertCard, 'data-pump-id': key },
      title,
      rowList,
    );
    return { li, title, list: rowList };
  }

  function build(view: AlertRowView): Row {
    const badge = h('span', { class: 'badge' });
    const patient = h('strong', { class: 'alert-patient', 'data-testid': TEST_IDS.alertPatient });
    const drug = h('span', { class: 'alert-drug' });
    const patientLink = h('a', { class: 'patient-link' });
    const therapy = h('p', { class: 'alert-therapy', 'data-testid': TEST_IDS.therapyLine });
    const rule = h('strong', { class: 'alert-rule' });
    const pump = h('p', { class: 'alert-pump' });
    const message = h('p', { class: 'alert-message' });
    const raised = h('span', { class: 'alert-raised' });
    // Inline in the "raised" line, so the row is no taller (the phone's first screen).
    const details = h(
      'a',
      { class: 'alert-details-link', 'data-testid': 'alert-details-link' },
      'Paging and receipts',
    );
    const status = h('span', { class: 'alert-status' });
    const notes = h('p', { class: 'alert-notes' });
    const escalation = h('p', { class: 'alert-escalation', 'data-testid': TEST_IDS.escalation });
    const snooze = h('p', { class: 'alert-snooze', 'data-testid': TEST_IDS.snoozeNote });
    const error = h('p', { class: 'alert-error', role: 'status' });
    const button = h(
      'button',
      { type: 'button', class: 'ack', 'data-testid': TEST_IDS.ackButton },
      'Acknowledge',
    );
    button.addEventListener('click', () => actions.onAck(view.id), { signal });
    const snoozeButton = h(
      'button',
      { type: 'button', class: 'snooze', 'data-testid': TEST_IDS.snoozeButton },
      'Snooze',
    );
    snoozeButton.addEventListener('click', () => actions.onSnooze(view.id), { signal });
    const viewOnly = h('p', { class: 'view-only', 'data-testid': TEST_IDS.viewOnly }, VIEW_ONLY_ROW_TEXT);
    const li = h(
      'li',
      { class: 'alert-row', 'data-testid': TEST_IDS.alertRow, 'data-alert-id': view.id, tabindex: '-1' },
      badge,
      h(
        'div',
        { class: 'alert-body' },
        // Patient first, pump second (issue 13): who, then what is wrong, then which pump.
        h('p', { class: 'alert-who' }, patient, ' ', drug),
        therapy,
        h('p', { class: 'alert-title' }, rule),
        pump,
        message,
        h('p', { class: 'alert-meta' }, raised, ' · ', details),
        h('p', { class: 'alert-status-line' }, status),
        escalation,
        snooze,
        notes,
        error,
      ),
      h('div', { class: 'alert-actions' }, button, snoozeButton, viewOnly),
    );
    return {
      li,
      priority: '',
      badge,
      patient,
      patientLink,
      drug,
      therapy,
      details,
      rule,
      pump,
      message,
      raised,
      status,
      notes,
      escalation,
      snooze,
      error,
      button,
      snoozeButton,
      viewOnly,
    };
  }

  function update(row: Row, view: AlertRowView, ack: AckUi | undefined, canAct: boolean): void {
    const { li } = row;
    setAttr(li, 'data-status', view.status);
    setAttr(li, 'data-priority', view.priority);
    setAttr(
      li,
      'class',
      `alert-row prio-${view.priority} status-${view.status}${view.flashing ? ' flashing' : ''}`,
    );
    if (row.priority !== view.priority) {
      row.priority = view.priority;
      row.badge.replaceChildren(
        priorityIcon(view.priority),
        h('span', { 'aria-hidden': 'true' }, view.priorityShort),
        h('span', { class: 'visually-hidden' }, view.priorityLabel),
      );
    }
    // The name links to the patient page (contacts, tap to call) when the alert names a patient.
    if (view.patientHref) {
      setText(row.patientLink, view.patientText);
      setAttr(row.patientLink, 'href', view.patientHref);
      if (row.patient.firstChild !== row.patientLink || row.patient.childNodes.length !== 1)
        row.patient.replaceChildren(row.patientLink);
    } else {
      setText(row.patient, view.patientText);
    }
    setAttr(row.patient, 'data-assigned', String(view.assigned));
    setText(row.therapy, view.therapyText ?? '');
    row.therapy.hidden = view.therapyText === null;
    setText(row.drug, view.drugText ?? '');
    row.drug.hidden = view.drugText === null;
    setText(row.rule, view.ruleLabel);
    setText(row.pump, view.pumpText);
    setText(row.message, view.message);
    setText(row.raised, view.raisedText);
    setAttr(row.details, 'href', view.detailHref);
    // Names the alert by rule and pump, not patient: the patient's name is the row's other link.
    setAttr(row.details, 'aria-label', `Paging and receipts: ${view.ruleLabel}, ${view.pumpText}`);
    setText(row.status, view.statusText);
    setText(row.notes, view.notes.join(' · '));
    row.notes.hidden = view.notes.length === 0;
    setText(row.escalation, view.escalationText ?? '');
    row.escalation.hidden = view.escalationText === null;
    setAttr(row.escalation, 'data-level', String(view.escalationLevel));
    setAttr(li, 'data-escalation-level', String(view.escalationLevel));
    setText(row.snooze, view.snoozeText ?? '');
    row.snooze.hidden = view.snoozeText === null;
    setAttr(li, 'data-snoozed', view.snoozeText === null ? 'false' : 'true');
    setText(row.error, ack?.error ?? '');
    row.error.hidden = !ack?.error;

    const { button } = row;
    const canAcknowledge = canAct && view.canAcknowledge;
    row.viewOnly.hidden = canAct || !view.canAcknowledge;
    if (!canAcknowledge && !button.hidden) {
      // The button is going away: keep keyboard users in the same row rather than dropping them to <body>.
      if (document.activeElement === button) li.focus({ preventScroll: true });
      button.hidden = true;
    } else if (canAcknowledge) {
      button.hidden = false;
    }
    setAttr(button, 'aria-label', view.ackLabel);
    // aria-disabled, not disabled: disabling the focused button would drop keyboard focus to <body>.
    // main.ts ignores clicks while a request is in flight.
    const acking = ack?.busy === true && ack.action !== 'snooze';
    const snoozing = ack?.busy === true && ack.action === 'snooze';
    setAttr(button, 'aria-disabled', acking ? 'true' : null);
    setText(button, acking ? 'Acknowledging…' : 'Acknowledge');

    const snoozeButton = row.snoozeButton;
    const canSnooze = canAct && view.canSnooze;
    if (!canSnooze && !snoozeButton.hidden) {
      if (document.activeElement === snoozeButton) li.focus({ preventScroll: true });
      snoozeButton.hidden = true;
    } else if (canSnooze) {
      snoozeButton.hidden = false;
    }
    setAttr(snoozeButton, 'aria-label', `${view.snoozeLabel} (${snoozeButtonText})`);
    setAttr(snoozeButton, 'aria-disabled', snoozing ? 'true' : null);
    setText(snoozeButton, snoozing ? 'Snoozing…' : snoozeButtonText);
  }

  return {
    element: list,
    update({ rows: views, acks, emptyText, canAct, snoozeButtonText: snoozeText }) {
      snoozeButtonText = snoozeText;
      const ordered: HTMLLIElement[] = [];
      const orderedCards: HTMLLIElement[] = [];
      const seen = new Set<string>();
      const seenCards = new Set<string>();
      // The rows in the DOM before this update, in their order, for the focus hand-over below.
      const previous = [...list.querySelectorAll<HTMLLIElement>('li.alert-row')];
      const cardRows: Array<[Card, HTMLLIElement[]]> = [];
      for (const group of groupAlertRows(views)) {
        let card = cards.get(group.key);
        if (!card) {
          card = buildCard(group.key);
          cards.set(group.key, card);
        }
        setText(card.title, groupTitle(group));
        setAttr(card.li, 'data-priority', group.worst);
        setAttr(card.li, 'class', `alert-card prio-${group.worst}`);
        const inCard: HTMLLIElement[] = [];
        for (const view of group.rows) {
          let row = rows.get(view.id);
          if (!row) {
            row = build(view);
            rows.set(view.id, row);
          }
          update(row, view, acks.get(view.id), canAct);
          inCard.push(row.li);
          ordered.push(row.li);
          seen.add(view.id);
        }
        cardRows.push([card, inCard]);
        orderedCards.push(card.li);
        seenCards.add(group.key);
      }
      // A row that goes away (resolved, or a latched alert resolved by its acknowledgement) must not take
      // keyboard focus with it: hand focus to the row now in its place, or to the inbox.
      const focused = document.activeElement;
      const lostAt = previous.findIndex((li) => !ordered.includes(li) && li.contains(focused));
      for (const id of [...rows.keys()]) if (!seen.has(id)) rows.delete(id);
      for (const key of [...cards.keys()]) if (!seenCards.has(key)) cards.delete(key);
      // A row moving to another card (never: a pump's alerts stay its own) would be moved by the
      // reconcile of its new card; rows first, then the cards themselves.
      for (const [card, inCard] of cardRows) reconcileChildren(card.list, inCard);
      reconcileChildren(list, orderedCards);
      if (lostAt >= 0) {
        const next = ordered[Math.min(lostAt, ordered.length - 1)] ?? list.closest('section');
        (next as HTMLElement | null)?.focus({ preventScroll: true });
      }
      setText(empty, emptyText);
      empty.hidden = views.length > 0;
    },
    destroy() {
      abort.abort();
      rows.clear();
      cards.clear();
      list.replaceChildren();
    },
  };
}
