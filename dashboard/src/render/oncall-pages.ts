import type { OncallAction } from '../oncall/oncall-loader.js';
import type { OncallPageModel } from '../oncall/oncall-page-model.js';
import { ROTA_FORM_ERROR, type RotationFormRow, type RotationValues, WEEKDAYS } from '../oncall/rota-view.js';
import { renderPushButton } from '../push/subscribe.js';
import type { Identity } from '../session.js';
import { h, reconcileChildren, setAttr, setText } from './dom.js';
import type { View } from './view.js';

/**
 * The on-call pages in one section (`#oncall-page`): the rota (`#/oncall`, `#/teams/{id}/oncall`), "My
 * devices" (`#/me/devices`) and one alert's escalation path and receipts (`#/alerts/{id}`). Drawn from
 * `OncallPageModel`; every click goes back as an `OncallAction`. Parts are redrawn only when what they
 * show changed, and a form's inputs are refilled only when the server's record changed, so typing is
 * never overwritten by the next tick.
 */

type RotaModel = Extract<OncallPageModel, { kind: 'rota' }>;
type Page<M> = { update(m: M): void; destroy(): void };

const key = (value: unknown) => JSON.stringify(value);

export function createOncallPages(
  section: HTMLElement,
  onAction: (action: OncallAction) => void,
  identity: Identity,
): View<OncallPageModel | null> & { focusHeading(): void } {
  const abort = new AbortController();
  const { signal } = abort;
  const heading = h('h2', { id: 'oncall-heading', class: 'detail-heading', tabindex: '-1' });
  const nav = h('p', { class: 'detail-nav' }, h('a', { href: '#/', class: 'back-link' }, '← All pumps'));
  const body = h('div', { class: 'oncall-body' });
  section.append(nav, heading, body);

  let shown: string | null = null;
  let current: Page<never> | null = null;
  const on = <E extends HTMLElement>(el: E, type: string, listener: (event: Event) => void): E => {
    el.addEventListener(type, listener, { signal });
    return el;
  };

  // --- the rota -----------------------------------------------------------------------------------
  function rotaPage(): Page<Extract<OncallPageModel, { kind: 'rota' }>> {
    const empty = h('p', { class: 'empty' });
    const list = h('div', { class: 'rota-teams' });
    const feedButton = on(
      h('button', { type: 'button', class: 'control', 'data-testid': 'feed-button' }, 'Get my calendar link'),
      'click',
      () => onAction({ kind: 'feedToken' }),
    );
    const feedUrl = h('input', {
      type: 'text',
      readonly: true,
      class: 'control feed-url',
      'data-testid': 'feed-url',
      'aria-label': 'Your calendar feed link',
    });
    const feedNote = h('p', { class: 'care-note', role: 'status' });
    const feed = h(
      'section',
      { class: 'care-block feed', 'aria-label': 'Calendar feed' },
      h('h3', {}, 'My shifts in my phone’s calendar'),
      h('p', {}, 'A private link to your shifts (an iCalendar feed) for your phone’s calendar app.'),
      feedButton,
      feedUrl,
      feedNote,
    );
    body.replaceChildren(empty, list, feed);
    const teams = new Map<string, ReturnType<typeof teamBlock>>();
    return {
      update(m) {
        setText(empty, m.emptyText ?? '');
        empty.hidden = m.emptyText === null;
        const blocks = m.teams.map((t) => {
          let block = teams.get(t.teamId);
          if (!block) {
            block = teamBlock(t.teamId);
            teams.set(t.teamId, block);
          }
          block.update(t, m.me);
          return block.element;
        });
        reconcileChildren(list, blocks);
        feed.hidden = !m.feed.available;
        setAttr(feedButton, 'aria-disabled', m.feed.busy ? 'true' : null);
        feedUrl.hidden = m.feed.url === null;
        if (m.feed.url !== null && feedUrl.value !== m.feed.url) feedUrl.value = m.feed.url;
        const note =
          m.feed.error ??
          (m.feed.url
            ? 'Shown only now: copy it into your calendar app. Asking again makes a new link and ends this one.'
            : '');
        setText(feedNote, note);
        feedNote.hidden = note === '';
      },
      destroy() {
        teams.clear();
      },
    };
  }

  function teamBlock(teamId: string) {
    const title = h('h3', {});
    const lead = h('p', { class: 'patient-team' });
    const status = h('p', { class: 'care-note', role: 'status' });
    const done = h('p', { class: 'form-done', role: 'status', 'data-testid': 'rota-done' });
    const rotations = h('div', { class: 'rotations' });
    const overrides = h('ul', { class: 'overrides', 'aria-label': 'Overrides' });
    const overridesEmpty = h('p', { class: 'empty' }, 'No override ahead.');
    const editor = h('div', { class: 'rota-editor' });
    const element = h(
      'section',
      { class: 'rota-team care-block', 'data-testid': 'rota-team', 'data-team-id': teamId },
      title,
      lead,
      status,
      done,
      rotations,
      h('h4', {}, 'Overrides'),
      overridesEmpty,
      overrides,
      editor,
    );
    let keys = { rotations: '', overrides: '' };
    let form: ReturnType<typeof rotaForm> | null = null;
    let formVersion = -1;
    return {
      element,
      update(t: RotaModel['teams'][number], me: string | null) {
        setText(title, `${t.teamName} (${t.timeZone})`);
        setText(lead, t.leadText);
        setText(status, t.statusText);
        status.hidden = t.statusText === '';
        setText(done, t.done ?? '');
        done.hidden = t.done === null;
        const next = { rotations: key([t.rotations, me]), overrides: key(t.overrides) };
        if (next.rotations !== keys.rotations) {
          rotations.replaceChildren(
            ...t.rotations.map((r) =>
              h(
                'article',
                { class: 'rotation', 'data-testid': 'rotation', 'data-rotation-id': r.rotationId },
                h('h4', {}, r.name),
                h('p', { class: 'rotation-pattern' }, r.patternText),
                h('p', { class: 'rotation-now', 'data-testid': 'rota-now' }, r.nowText),
                h(
                  'ol',
                  { class: 'shifts', 'aria-label': `Next shifts of ${r.name}` },
                  ...r.shifts.map((s) =>
                    h(
                      'li',
                      {
                        class: `shift${s.now ? ' shift-now' : ''}`,
                        'data-testid': 'shift',
                        'data-username': s.username ?? '',
                      },
                      h('span', {}, s.text),
                      s.canTake && me !== null
                        ? on(
                            h(
                              'button',
                              {
                                type: 'button',
                                class: 'control',
                                'data-testid': 'take-shift',
                                'aria-label': `I take this shift: ${s.text}`,
                              },
                              'I take this shift',
                            ),
                            'click',
                            () =>
                              onAction({
                                kind: 'take',
                                teamId,
                                rotationId: s.rotationId,
                                replaces: s.username,
                                from: s.from,
                                to: s.to,
                              }),
                          )
                        : '',
                    ),
                  ),
                ),
              ),
            ),
          );
        }
        if (next.overrides !== keys.overrides) {
          overrides.replaceChildren(
            ...t.overrides.map((o) =>
              h(
                'li',
                { 'data-testid': 'override-row', 'data-override-id': o.id },
                h('span', {}, o.text),
                o.canCancel
                  ? on(
                      h(
                        'button',
                        {
                          type: 'button',
                          class: 'control',
                          'data-testid': 'cancel-override',
                          'aria-label': `Cancel override: ${o.text}`,
                        },
                        'Cancel',
                      ),
                      'click',
                      () => onAction({ kind: 'cancel', teamId, overrideId: o.id }),
                    )
                  : '',
              ),
            ),
          );
          overridesEmpty.hidden = t.overrides.length > 0;
        }
        keys = next;
        editor.hidden = !t.canEdit;
        if (t.canEdit) {
          if (!form || formVersion !== t.version) {
            form?.destroy();
            formVersion = t.version;
            form = rotaForm(teamId, t.form);
            editor.replaceChildren(form.element);
          }
          form.update(t.errors, t.busy);
        }
      },
    };
  }

  /** The rota editor: each rotation's members and handoff, each field's error under it. */
  function rotaForm(teamId: string, rows: readonly RotationFormRow[]) {
    const fields = new Map<string, { input: HTMLInputElement | HTMLSelectElement; error: HTMLElement }>();
    const element = h('form', {
      class: 'care-form rota-form',
      novalidate: true,
      'data-form': 'rota',
      'aria-label': 'Edit the rota',
    });
    element.append(h('h4', {}, 'Edit the rota'));
    const field = (
      row: RotationFormRow,
      name: keyof RotationValues,
      label: string,
      input: HTMLInputElement | HTMLSelectElement,
      hint?: string,
    ) => {
      const id = `rota-${teamId}-${row.index}-${name}`;
      const errorId = `${id}-error`;
      input.id = id;
      input.name = name;
      input.setAttribute('aria-describedby', errorId);
      const error = h('p', {
        id: errorId,
        class: 'field-error',
        'data-testid': 'field-error',
        'data-field': `${row.index}.${name}`,
        hidden: true,
      });
      fields.set(`${row.index}.${name}`, { input, error });
      return h(
        'div',
        { class: 'field' },
        h('label', { for: id, class: 'field-label' }, label),
        hint ? h('span', { class: 'field-hint' }, hint) : '',
        input,
        error,
      );
    };
    const text = (value: string, extra: Record<string, string> = {}) =>
      h('input', { type: 'text', class: 'control', value, autocomplete: 'off', ...extra });
    const groups = rows.map((row) => {
      const shift = h(
        'select',
        { class: 'control' },
        h('option', { value: 'daily' }, 'Daily'),
        h('option', { value: 'weekly' }, 'Weekly'),
      );
      shift.value = row.shift;
      const weekday = h(
        'select',
        { class: 'control' },
        h('option', { value: '' }, '—'),
        ...WEEKDAYS.map((d, i) => h('option', { value: String(i + 1) }, d)),
      );
      weekday.value = row.handoffWeekday;
      return {
        row,
        element: h(
          'fieldset',
          { class: 'rota-rotation', 'data-rotation-id': row.id ?? '' },
          h('legend', {}, row.name),
          field(
            row,
            'members',
            'Members, in order',
            text(row.members, { spellcheck: 'false', autocapitalize: 'none' }),
            'usernames, separated by commas',
          ),
          field(
            row,
            'handoffTime',
            'Handoff time',
            text(row.handoffTime, { inputmode: 'numeric', placeholder: 'HH:MM' }),
            'HH:MM, the team’s time zone',
          ),
          field(row, 'shift', 'Shift', shift),
          field(row, 'handoffWeekday', 'Handoff day (weekly)', weekday),
          field(
            row,
            'startDate',
            'Starts on',
            h('input', { type: 'date', class: 'control', value: row.startDate }),
          ),
          field(row, 'name', 'Name', text(row.name)),
        ),
      };
    });
    const formError = h('p', {
      class: 'form-error',
      role: 'alert',
      'data-testid': 'form-error',
      hidden: true,
    });
    const submit = h(
      'button',
      { type: 'submit', class: 'control control-strong', 'data-testid': 'rota-save' },
      'Save the rota',
    );
    element.append(...groups.map((g) => g.element), formError, h('div', { class: 'form-actions' }, submit));
    let submitted = false;
    const formAbort = new AbortController();
    element.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        submitted = true;
        const value = (index: number, name: string) => fields.get(`${index}.${name}`)?.input.value ?? '';
        onAction({
          kind: 'saveRotations',
          teamId,
          rows: groups.map(({ row }) => ({
            id: row.id ?? '',
            name: value(row.index, 'name'),
            shift: value(row.index, 'shift'),
            handoffTime: value(row.index, 'handoffTime'),
            handoffWeekday: value(row.index, 'handoffWeekday'),
            startDate: value(row.index, 'startDate'),
            members: value(row.index, 'members'),
          })),
        });
      },
      { signal: formAbort.signal },
    );
    return {
      element,
      update(errors: Record<string, string>, busy: boolean) {
        let firstBad: HTMLElement | null = null;
        for (const [name, f] of fields) {
          const message = errors[name] ?? null;
          setText(f.error, message ?? '');
          f.error.hidden = message === null;
          setAttr(f.input, 'aria-invalid', message === null ? null : 'true');
          if (message !== null && !firstBad) firstBad = f.input;
        }
        const general = errors[ROTA_FORM_ERROR] ?? null;
        setText(formError, general ?? '');
        formError.hidden = general === null;
        setAttr(submit, 'aria-disabled', busy ? 'true' : null);
        setText(submit, busy ? 'Saving…' : 'Save the rota');
        if (submitted && !busy) {
          submitted = false;
          firstBad?.focus();
        }
      },
      destroy() {
        formAbort.abort();
      },
    };
  }

  // --- my devices -----------------------------------------------------------------------------------
  function devicesPage(): Page<Extract<OncallPageModel, { kind: 'devices' }>> {
    const status = h('p', { class: 'care-note', role: 'status' });
    const pushNote = h('p', { class: 'care-note', role: 'status', hidden: true });
    const push = renderPushButton(identity, signal, {
      testId: 'push-enable-page',
      onResult: (result) => {
        setText(pushNote, result.ok ? `This device (${result.label}) now gets your pages.` : result.message);
        pushNote.hidden = false;
        onAction({ kind: 'devicesChanged' });
      },
    });
    const devices = h('ul', { class: 'devices', 'aria-label': 'My devices' });
    const devicesEmpty = h(
      'p',
      { class: 'empty' },
      'No device gets your pages yet: use “Get alerts on this device” on your phone.',
    );
    const removeError = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const email = h('input', {
      type: 'email',
      class: 'control',
      autocomplete: 'email',
      id: 'contact-email',
      name: 'email',
      'aria-describedby': 'contact-email-error',
    });
    const sms = h('input', {
      type: 'tel',
      class: 'control',
      autocomplete: 'tel',
      id: 'contact-sms',
      name: 'smsNumber',
      'aria-describedby': 'contact-sms-error',
    });
    const emailError = h('p', {
      id: 'contact-email-error',
      class: 'field-error',
      'data-testid': 'field-error',
      'data-field': 'email',
      hidden: true,
    });
    const smsError = h('p', {
      id: 'contact-sms-error',
      class: 'field-error',
      'data-testid': 'field-error',
      'data-field': 'smsNumber',
      hidden: true,
    });
    const contactError = h('p', {
      class: 'form-error',
      role: 'alert',
      'data-testid': 'form-error',
      hidden: true,
    });
    const contactDone = h('p', {
      class: 'form-done',
      role: 'status',
      'data-testid': 'form-done',
      hidden: true,
    });
    const contactSubmit = h('button', { type: 'submit', class: 'control control-strong' }, 'Save');
    let contactSubmitted = false;
    const contact = on(
      h(
        'form',
        { class: 'care-form', novalidate: true, 'data-form': 'contact', 'aria-label': 'Email and SMS' },
        h('h3', {}, 'Email and SMS'),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'contact-email', class: 'field-label' }, 'Email'),
          email,
          emailError,
        ),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'contact-sms', class: 'field-label' }, 'SMS number'),
          h('span', { class: 'field-hint' }, 'with the country code: +447700900123'),
          sms,
          smsError,
        ),
        contactError,
        h('div', { class: 'form-actions' }, contactSubmit),
        contactDone,
      ),
      'submit',
      (event) => {
        event.preventDefault();
        contactSubmitted = true;
        onAction({ kind: 'saveContact', email: email.value, smsNumber: sms.value });
      },
    );
    const testButton = on(
      h(
        'button',
        { type: 'button', class: 'control control-strong', 'data-testid': 'test-page-button' },
        'Send me a test alert',
      ),
      'click',
      () => onAction({ kind: 'testPage' }),
    );
    const testSummary = h('p', { class: 'test-summary', role: 'status', 'data-testid': 'test-summary' });
    const receipts = h('ul', { class: 'receipts', 'aria-label': 'Test alert receipts' });
    body.replaceChildren(
      status,
      h('section', { class: 'care-block' }, h('h3', {}, 'This device'), push, pushNote),
      h(
        'section',
        { class: 'care-block' },
        h('h3', {}, 'Devices that get my pages'),
        devicesEmpty,
        devices,
        removeError,
      ),
      contact,
      h(
        'section',
        { class: 'care-block' },
        h('h3', {}, 'Test alert'),
        h(
          'p',
          {},
          'A high test alert to every device and address above, as a real page goes. It names no patient.',
        ),
        testButton,
        testSummary,
        receipts,
      ),
    );
    let keys = { devices: '', receipts: '' };
    let contactVersion = -1;
    return {
      update(m) {
        setText(
          status,
          m.available ? m.statusText : 'Log in to see your devices: without a login there is nobody to page.',
        );
        status.hidden = m.available && m.statusText === '';
        const next = { devices: key(m.devices), receipts: key(m.test.receipts) };
        if (next.devices !== keys.devices) {
          devices.replaceChildren(
            ...(m.devices ?? []).map((d) =>
              h(
                'li',
                { 'data-testid': 'device-row', 'data-device-id': d.id },
                h('strong', {}, d.label),
                h('span', { class: 'device-detail' }, ` ${d.detailText} `),
                on(
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'control',
                      'aria-label': `Remove ${d.label}`,
                      'data-testid': 'remove-device',
                    },
                    'Remove',
                  ),
                  'click',
                  () => onAction({ kind: 'removeDevice', deviceId: d.id }),
                ),
              ),
            ),
          );
          devicesEmpty.hidden = m.devices === null || m.devices.length > 0;
        }
        setText(removeError, m.removeError ?? '');
        removeError.hidden = m.removeError === null;
        if (m.contactVersion !== contactVersion) {
          contactVersion = m.contactVersion;
          email.value = m.contact.email;
          sms.value = m.contact.smsNumber;
        }
        const errs: Array<[HTMLInputElement, HTMLElement, string | undefined]> = [
          [email, emailError, m.contactErrors.email],
          [sms, smsError, m.contactErrors.smsNumber],
        ];
        for (const [input, error, message] of errs) {
          setText(error, message ?? '');
          error.hidden = message === undefined;
          setAttr(input, 'aria-invalid', message === undefined ? null : 'true');
        }
        setText(contactError, m.contactErrors._form ?? '');
        contactError.hidden = m.contactErrors._form === undefined;
        setText(contactDone, m.contactDone ?? '');
        contactDone.hidden = m.contactDone === null;
        setAttr(contactSubmit, 'aria-disabled', m.contactBusy ? 'true' : null);
        if (contactSubmitted && !m.contactBusy) {
          contactSubmitted = false;
          errs.find(([, , message]) => message !== undefined)?.[0].focus();
        }
        setAttr(testButton, 'aria-disabled', m.test.busy ? 'true' : null);
        setText(testButton, m.test.busy ? 'Sending a test alert…' : 'Send me a test alert');
        const summary = m.test.error ?? m.test.summary ?? '';
        setText(testSummary, summary);
        testSummary.hidden = summary === '';
        if (next.receipts !== keys.receipts) {
          receipts.replaceChildren(
            ...m.test.receipts.map((r) =>
              h(
                'li',
                {
                  class: `receipt tone-${r.tone}`,
                  'data-testid': 'test-receipt',
                  'data-status': r.status,
                  'data-channel': r.channel,
                },
                r.text,
              ),
            ),
          );
        }
        keys = next;
      },
      destroy() {
        push.remove();
      },
    };
  }

  // --- one alert's paging story ----------------------------------------------------------------------
  function alertPage(): Page<Extract<OncallPageModel, { kind: 'alert' }>> {
    const facts = h('dl', { class: 'patient-facts' });
    const state = h('p', { class: 'paging-state', 'data-testid': 'paging-state', role: 'status' });
    const reached = h('p', { class: 'patient-team' });
    const steps = h('ol', { class: 'paging-steps', 'aria-label': 'Escalation steps' });
    const timelineText = h('p', { class: 'empty' });
    const timeline = h('ol', { class: 'receipts', 'aria-label': 'Receipts', 'data-testid': 'receipts' });
    body.replaceChildren(
      facts,
      h('h3', {}, 'Escalation path'),
      state,
      reached,
      steps,
      h('h3', {}, 'Who was told what, when'),
      timelineText,
      timeline,
    );
    let keys = { facts: '', path: '', timeline: '' };
    return {
      update(m) {
        const next = {
          facts: key(m.facts),
          path: key([m.path, m.pathNote]),
          timeline: key([m.timeline, m.timelineText]),
        };
        if (next.facts !== keys.facts)
          facts.replaceChildren(
            ...m.facts.flatMap((f) => [
              h('dt', {}, f.label),
              h('dd', {}, f.href ? h('a', { href: f.href, class: 'patient-link' }, f.value) : f.value),
            ]),
          );
        if (next.path !== keys.path) {
          setText(state, m.path?.stateText ?? m.pathNote ?? '');
          setText(reached, m.path?.reachedText ?? '');
          reached.hidden = !m.path?.reachedText;
          steps.replaceChildren(
            ...(m.path?.steps ?? []).map((s) =>
              h(
                'li',
                { class: `paging-step step-${s.state}`, 'data-testid': 'paging-step', 'data-state': s.state },
                h('strong', {}, s.text),
                h('span', {}, ` — ${s.whenText}`),
              ),
            ),
          );
        }
        if (next.timeline !== keys.timeline) {
          setText(timelineText, m.timelineText);
          timelineText.hidden = m.timelineText === '';
          timeline.replaceChildren(
            ...m.timeline.map((line) =>
              h(
                'li',
                { class: `receipt tone-${line.tone}`, 'data-testid': 'receipt-line', 'data-tone': line.tone },
                line.text,
              ),
            ),
          );
        }
        keys = next;
      },
      destroy() {},
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
      const pageKey = m.kind === 'alert' ? `alert:${m.alertId}` : m.kind;
      if (pageKey !== shown) {
        current?.destroy();
        shown = pageKey;
        current = (
          m.kind === 'rota' ? rotaPage() : m.kind === 'devices' ? devicesPage() : alertPage()
        ) as Page<never>;
      }
      setText(heading, m.heading);
      (current as Page<OncallPageModel> | null)?.update(m);
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
