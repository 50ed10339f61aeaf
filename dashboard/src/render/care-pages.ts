import type { FormKind, FormValues } from '../care/care-forms.js';
import type { CarePageModel } from '../care/care-page-model.js';
import type { CaseloadFilter } from '../care/caseload.js';
import type { PatientPageView } from '../care/patient-page.js';
import { PATIENTS_HREF } from '../route.js';
import { TEST_IDS } from '../testids.js';
import { createCareForm } from './care-forms.js';
import { h, reconcileChildren, setText } from './dom.js';
import { priorityIcon } from './icons.js';
import { createPumpCard } from './pumps.js';
import type { View } from './view.js';

/**
 * The care pages in one section (`#care-page`): the caseload (`#/patients`) with its filters and the
 * "New patient" form, and a patient's page (`#/patients/{id}`) with contacts (tap to call), therapies,
 * the pumps on them now (live cards linking to their charts), the alert history and the therapy and
 * assignment forms. Drawn from `CarePageModel`; intents go back through the callbacks.
 */

export interface CareActions {
  onSubmit(kind: FormKind, values: FormValues): void;
  onFilter(filter: CaseloadFilter): void;
}

export function createCarePages(
  section: HTMLElement,
  actions: CareActions,
): View<CarePageModel | null> & {
  focusHeading(): void;
} {
  const abort = new AbortController();
  const { signal } = abort;
  const heading = h('h2', { id: 'care-heading', class: 'detail-heading', tabindex: '-1' });
  const nav = h('p', { class: 'detail-nav' });
  const status = h('p', { class: 'care-status', role: 'status' });
  const body = h('div', { class: 'care-body' });
  section.append(nav, heading, status, body);

  let shown: string | null = null;
  let current: { update(m: CarePageModel): void; destroy(): void } | null = null;

  const submit = (kind: FormKind) => (values: FormValues) => actions.onSubmit(kind, values);

  function caseloadPage() {
    const search = h('input', { id: 'caseload-q', type: 'search', class: 'control', autocomplete: 'off' });
    const drug = h('input', { id: 'caseload-drug', type: 'search', class: 'control', autocomplete: 'off' });
    const team = h('select', { id: 'caseload-team', class: 'control' });
    const scope = h(
      'select',
      { id: 'caseload-scope', class: 'control' },
      h('option', { value: 'mine' }, 'My teams'),
      h('option', { value: 'all' }, 'All teams'),
    );
    const searchField = h(
      'span',
      { class: 'filter' },
      h('label', { for: 'caseload-q' }, 'Patient name'),
      search,
    );
    const filters = h(
      'form',
      { class: 'filters', role: 'search', 'aria-label': 'Filter the caseload' },
      h('span', { class: 'filter' }, h('label', { for: 'caseload-scope' }, 'Show'), scope),
      searchField,
      h('span', { class: 'filter' }, h('label', { for: 'caseload-team' }, 'Team'), team),
      h('span', { class: 'filter' }, h('label', { for: 'caseload-drug' }, 'Drug'), drug),
    );
    const summary = h('p', { class: 'caseload-summary', role: 'status' });
    const noTeam = h('p', { class: 'care-note' });
    const list = h('ul', { class: 'caseload', 'aria-label': 'Patients' });
    const empty = h('p', { class: 'empty' }, 'No patient matches.');
    const form = createCareForm('patient', 'New patient', 'Create patient', submit('patient'));
    const rows = new Map<string, HTMLLIElement>();
    const read = (): CaseloadFilter => ({
      mine: scope.value !== 'all',
      q: search.value,
      teamId: team.value,
      drug: drug.value,
    });
    for (const el of [search, drug, team, scope]) {
      el.addEventListener('input', () => actions.onFilter(read()), { signal });
      el.addEventListener('change', () => actions.onFilter(read()), { signal });
    }
    filters.addEventListener('submit', (e) => e.preventDefault(), { signal });
    body.replaceChildren(filters, summary, noTeam, list, empty, form.element);
    let teamsKey = '';
    return {
      update(m: CarePageModel) {
        if (m.kind !== 'patients') return;
        const key = JSON.stringify(m.teams);
        if (key !== teamsKey) {
          teamsKey = key;
          team.replaceChildren(
            h('option', { value: '' }, 'Every team'),
            ...m.teams.map((t) => h('option', { value: t.value }, t.label)),
          );
          team.value = m.filter.teamId;
        }
        scope.value = m.filter.mine ? 'mine' : 'all';
        searchField.hidden = !m.canSearchNames;
        setText(summary, m.caseload?.summaryText ?? '');
        setText(noTeam, m.caseload?.noTeamText ?? '');
        noTeam.hidden = !m.caseload?.noTeamText;
        const items = (m.caseload?.rows ?? []).map((row) => {
          let li = rows.get(row.patientId);
          if (!li) {
            li = h('li', {
              class: 'caseload-row',
              'data-testid': TEST_IDS.caseloadRow,
              'data-patient-id': row.patientId,
            });
            rows.set(row.patientId, li);
          }
          const text = JSON.stringify(row);
          if (li.dataset.key !== text) {
            li.dataset.key = text;
            li.replaceChildren(
              h('a', { href: row.href, class: 'caseload-name' }, row.name),
              h('span', { class: 'caseload-drugs' }, row.drugsText || 'No current therapy'),
              h(
                'span',
                { class: 'caseload-team' },
                `${row.teamName}${row.status === 'discharged' ? ' · discharged' : ''}`,
              ),
            );
          }
          return li;
        });
        reconcileChildren(list, items);
        empty.hidden = items.length > 0 || m.caseload === null;
        form.element.hidden = !m.canEdit;
        if (m.canEdit) form.update(m.form);
      },
      destroy() {
        form.destroy();
      },
    };
  }

  function patientPage() {
    const who = h('p', { class: 'patient-team' });
    const redacted = h('p', { class: 'care-note', 'data-testid': 'patient-redacted' });
    const contacts = h('section', { class: 'care-block', 'aria-label': 'Contacts' });
    const facts = h('dl', { class: 'patient-facts' });
    const therapies = h('ul', { class: 'therapies', 'aria-label': 'Therapies' });
    const pumps = h('div', { class: 'pump-grid patient-pumps' });
    const pumpsEmpty = h('p', { class: 'empty' });
    const alerts = h('ol', { class: 'marker-list patient-alerts', 'aria-label': 'Alert history' });
    const alertsText = h('p', { class: 'empty' });
    const therapyForm = createCareForm('therapy', 'New therapy', 'Add therapy', submit('therapy'));
    const assignForm = createCareForm('assignment', 'Assign a pump', 'Assign pump', submit('assignment'));
    const forms = h('div', { class: 'care-forms' }, therapyForm.element, assignForm.element);
    const cards = new Map<string, ReturnType<typeof createPumpCard>>();
    body.replaceChildren(
      who,
      redacted,
      contacts,
      facts,
      h('h3', {}, 'Therapies'),
      therapies,
      h('h3', {}, 'Pumps now'),
      pumpsEmpty,
      pumps,
      h('h3', {}, 'Alert history'),
      alertsText,
      alerts,
      forms,
    );
    let keys = { contacts: '', facts: '', therapies: '', alerts: '' };
    const drawContacts = (page: PatientPageView) => {
      const phoneItems = page.phones.map((p) =>
        h('li', {}, `${p.label}: `, h('a', { href: p.href, 'data-testid': TEST_IDS.patientPhone }, p.number)),
      );
      const caregiverItems = page.caregivers.map((c) =>
        h(
          'li',
          {},
          `${c.label} (${c.relation}): `,
          h('a', { href: c.href, 'data-testid': TEST_IDS.patientPhone }, c.number),
        ),
      );
      contacts.replaceChildren(
        h('h3', {}, 'Contacts'),
        phoneItems.length > 0
          ? h('ul', { class: 'contact-list' }, ...phoneItems)
          : h(
              'p',
              { class: 'empty' },
              page.redactedNote ? 'Not shown to your role.' : 'No phone number recorded.',
            ),
        h('h3', {}, 'Caregivers'),
        caregiverItems.length > 0
          ? h('ul', { class: 'contact-list' }, ...caregiverItems)
          : h(
              'p',
              { class: 'empty' },
              page.redactedNote ? 'Not shown to your role.' : 'No caregiver recorded.',
            ),
      );
    };
    return {
      update(m: CarePageModel) {
        if (m.kind !== 'patient') return;
        const page = m.page;
        body.hidden = page === null;
        forms.hidden = !m.canEdit || page === null;
        if (m.canEdit) {
          therapyForm.update(m.therapyForm);
          assignForm.update(m.assignForm);
        }
        if (!page) return;
        setText(who, `${page.teamText} · ${page.statusText}`);
        setText(redacted, page.redactedNote ?? '');
        redacted.hidden = page.redactedNote === null;
        const next = {
          contacts: JSON.stringify([page.phones, page.caregivers, page.redactedNote]),
          facts: JSON.stringify(page.facts),
          therapies: JSON.stringify(page.therapies),
          alerts: JSON.stringify([page.alerts, page.alertsText]),
        };
        if (next.contacts !== keys.contacts) drawContacts(page);
        if (next.facts !== keys.facts) {
          facts.replaceChildren(...page.facts.flatMap((f) => [h('dt', {}, f.label), h('dd', {}, f.value)]));
        }
        if (next.therapies !== keys.therapies) {
          therapies.replaceChildren(
            ...page.therapies.map((t) =>
              h(
                'li',
                { class: `therapy status-${t.status}`, 'data-therapy-id': t.id },
                h('strong', {}, `${t.drug}, ${t.dose}`),
                h(
                  'span',
                  {},
                  ` · ${t.scheduleText} · ordered ${t.orderText} · ${t.status.replace('_', ' ')}`,
                ),
                t.timingText
                  ? h('p', { class: 'pump-therapy', 'data-testid': TEST_IDS.therapyLine }, t.timingText)
                  : '',
              ),
            ),
          );
          if (page.therapies.length === 0)
            therapies.replaceChildren(h('li', { class: 'empty' }, 'No therapy yet.'));
        }
        if (next.alerts !== keys.alerts) {
          alerts.replaceChildren(
            ...page.alerts.map((a) =>
              h(
                'li',
                {
                  class: `marker prio-${a.priority}`,
                  'data-testid': TEST_IDS.patientAlert,
                  'data-alert-id': a.id,
                },
                priorityIcon(a.priority),
                h('a', { href: a.pumpHref }, a.text),
                h('span', { class: 'marker-status' }, ` — ${a.statusText}`),
              ),
            ),
          );
          setText(alertsText, page.alertsText);
          alertsText.hidden = page.alertsText === '';
        }
        keys = next;
        // The pumps on this patient now: the same live cards as the grid, each linking to its charts.
        const seen = new Set<string>();
        const elements = page.pumps.map((view) => {
          seen.add(view.key);
          let card = cards.get(view.key);
          if (!card) {
            card = createPumpCard(view, true);
            card.element.dataset.testid = TEST_IDS.patientPump;
            cards.set(view.key, card);
          }
          card.update(view);
          return card.element;
        });
        for (const key of [...cards.keys()]) if (!seen.has(key)) cards.delete(key);
        reconcileChildren(pumps, elements);
        setText(pumpsEmpty, page.pumpsEmptyText);
        pumpsEmpty.hidden = page.pumps.length > 0;
      },
      destroy() {
        therapyForm.destroy();
        assignForm.destroy();
        cards.clear();
      },
    };
  }

  return {
    element: section,
    update(m) {
      section.hidden = m === null;
      if (!m) {
        if (shown !== null) {
          current?.destroy();
          current = null;
          shown = null;
          body.replaceChildren();
        }
        return;
      }
      const key = m.kind === 'patients' ? 'patients' : `patient:${m.patientId}`;
      if (key !== shown) {
        current?.destroy();
        shown = key;
        current = m.kind === 'patients' ? caseloadPage() : patientPage();
        nav.replaceChildren(
          h(
            'a',
            { href: m.kind === 'patients' ? '#/' : PATIENTS_HREF, class: 'back-link' },
            m.kind === 'patients' ? '← All pumps' : '← Patients',
          ),
        );
      }
      setText(heading, m.kind === 'patients' ? 'Patients' : (m.page?.name ?? 'Patient'));
      setText(status, m.statusText);
      status.hidden = m.statusText === '';
      current?.update(m);
    },
    focusHeading() {
      heading.focus();
    },
    destroy() {
      abort.abort();
      current?.destroy();
      current = null;
      shown = null;
      section.replaceChildren();
      section.hidden = true;
    },
  };
}
