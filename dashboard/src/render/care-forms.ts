import type { FieldSpec, FormKind, FormValues } from '../care/care-forms.js';
import { FORM_ERROR, FORM_FIELDS } from '../care/care-forms.js';
import type { FormModel, Option } from '../care/care-page-model.js';
import { TEST_IDS } from '../testids.js';
import { h, setAttr, setText } from './dom.js';
import type { View } from './view.js';

/**
 * One coordinator form (care/care-forms.ts has its fields and its validation). Each field has its own
 * error line right under it (`aria-describedby`, `aria-invalid`), so a problem is read where it is; the
 * first field at fault takes focus after a refused submit. The form only reports its values: the
 * controller validates them with the protocol's schemas and sends nothing while they are invalid.
 */

let nextFormId = 0;

interface Field {
  spec: FieldSpec;
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  error: HTMLElement;
  optionsKey: string;
}

export function createCareForm(
  kind: FormKind,
  title: string,
  submitText: string,
  onSubmit: (values: FormValues) => void,
): View<FormModel> {
  const abort = new AbortController();
  const formId = `care-form-${++nextFormId}`;
  const fields = new Map<string, Field>();
  const form = h('form', {
    class: 'care-form',
    novalidate: true,
    'data-form': kind,
    'aria-labelledby': `${formId}-title`,
  });
  form.append(h('h3', { id: `${formId}-title` }, title));
  for (const spec of FORM_FIELDS[kind]) {
    const id = `${formId}-${spec.name}`;
    const errorId = `${id}-error`;
    const common = {
      id,
      name: spec.name,
      'aria-describedby': errorId,
      ...(spec.required ? { 'aria-required': 'true' } : {}),
    };
    const input =
      spec.type === 'select'
        ? h('select', { ...common, class: 'control' })
        : spec.type === 'textarea'
          ? h('textarea', { ...common, rows: '2', class: 'control' })
          : h('input', {
              ...common,
              class: 'control',
              type: spec.type === 'number' ? 'text' : spec.type,
              ...(spec.type === 'number' ? { inputmode: 'decimal' } : {}),
              autocomplete: 'off',
            });
    if (spec.options) for (const o of spec.options) input.append(h('option', { value: o.value }, o.label));
    const error = h('p', {
      id: errorId,
      class: 'field-error',
      'data-testid': TEST_IDS.fieldError,
      'data-field': spec.name,
      hidden: true,
    });
    const label = h(
      'label',
      { for: id, class: 'field-label' },
      spec.label,
      spec.required ? h('span', { class: 'required' }, ' (required)') : '',
    );
    const hint = spec.hint ? h('span', { class: 'field-hint' }, spec.hint) : '';
    form.append(h('div', { class: 'field', 'data-field': spec.name }, label, hint, input, error));
    fields.set(spec.name, { spec, input, error, optionsKey: '' });
  }
  const formError = h('p', {
    class: 'form-error',
    role: 'alert',
    'data-testid': TEST_IDS.formError,
    hidden: true,
  });
  const done = h('p', { class: 'form-done', role: 'status', 'data-testid': TEST_IDS.formDone, hidden: true });
  const submit = h('button', { type: 'submit', class: 'control control-strong' }, submitText);
  form.append(formError, h('div', { class: 'form-actions' }, submit), done);

  let version = 0;
  let submitted = false;
  form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      const values: Record<string, string> = {};
      for (const [name, field] of fields) values[name] = field.input.value;
      submitted = true;
      onSubmit(values);
    },
    { signal: abort.signal },
  );

  const setOptions = (field: Field, options: readonly Option[]) => {
    const key = JSON.stringify(options);
    if (key === field.optionsKey || !(field.input instanceof HTMLSelectElement)) return;
    field.optionsKey = key;
    const chosen = field.input.value;
    field.input.replaceChildren(
      h('option', { value: '' }, 'Choose…'),
      ...options.map((o) => h('option', { value: o.value }, o.label)),
    );
    field.input.value = options.some((o) => o.value === chosen) ? chosen : '';
  };

  return {
    element: form,
    update(m) {
      for (const [name, options] of Object.entries(m.options)) {
        const field = fields.get(name);
        if (field) setOptions(field, options);
      }
      if (m.version !== version) {
        version = m.version;
        form.reset();
        for (const field of fields.values())
          if (field.input instanceof HTMLSelectElement && field.optionsKey) field.input.value = '';
      }
      let firstBad: Field | null = null;
      for (const [name, field] of fields) {
        const message = m.errors[name] ?? null;
        setText(field.error, message ?? '');
        field.error.hidden = message === null;
        setAttr(field.input, 'aria-invalid', message === null ? null : 'true');
        if (message !== null && !firstBad) firstBad = field;
      }
      const general = m.errors[FORM_ERROR] ?? null;
      setText(formError, general ?? '');
      formError.hidden = general === null;
      setText(done, m.done ?? '');
      done.hidden = m.done === null;
      setAttr(submit, 'aria-disabled', m.busy ? 'true' : null);
      // After a refused submit, put the keyboard on the first field at fault, once.
      if (submitted && !m.busy) {
        submitted = false;
        firstBad?.input.focus();
      }
    },
    destroy() {
      abort.abort();
      form.remove();
    },
  };
}
