import { assignBodySchema, idSchema, patientInputSchema, therapyInputSchema } from '@pumpwatch/protocol';
import { z } from 'zod';
import type { ApiFailure } from '../errors.js';

/**
 * The coordinator's forms (create a patient, a therapy for a patient, assign a pump to a therapy) apart
 * from their DOM: the typed strings become the request body, which is validated in the browser with the
 * SAME zod schemas the server uses (protocol/src/care.ts), and each problem is put next to its own
 * field. The server's own `VALIDATION_FAILED` issues (`{path: "caregivers.0.phone", message}`, from
 * sendValidationError) go through the same path → field mapping, so they land on the same fields.
 * Nothing is sent while the browser finds a problem.
 */

export type FormKind = 'patient' | 'therapy' | 'assignment';
/** What the form's inputs hold, by field name. */
export type FormValues = Readonly<Record<string, string>>;
/** One message per field that has a problem; `_form` for problems that belong to no field. */
export type FieldErrors = Record<string, string>;

export const FORM_ERROR = '_form';

export type Validated = { ok: true; body: unknown; pumpId?: string } | { ok: false; errors: FieldErrors };

/** Each field of each form, in order: the DOM builds its inputs from this. */
export interface FieldSpec {
  name: string;
  label: string;
  type: 'text' | 'date' | 'datetime-local' | 'number' | 'tel' | 'select' | 'textarea';
  required?: boolean;
  hint?: string;
  options?: readonly { value: string; label: string }[];
}

export const ACCESS_LINE_OPTIONS = [
  { value: '', label: 'Not recorded' },
  { value: 'picc', label: 'PICC' },
  { value: 'port', label: 'Implanted port' },
  { value: 'midline', label: 'Midline' },
  { value: 'peripheral', label: 'Peripheral' },
  { value: 'tunneled_cvc', label: 'Tunnelled CVC' },
] as const;

export const PATIENT_FIELDS: readonly FieldSpec[] = [
  { name: 'displayName', label: 'Name', type: 'text', required: true },
  { name: 'birthDate', label: 'Date of birth', type: 'date', required: true },
  { name: 'teamId', label: 'Care team', type: 'select', required: true },
  { name: 'phone', label: 'Phone', type: 'tel', hint: 'digits, optionally starting with +' },
  { name: 'caregiverName', label: 'Caregiver name', type: 'text' },
  { name: 'caregiverRelation', label: 'Caregiver relation', type: 'text' },
  { name: 'caregiverPhone', label: 'Caregiver phone', type: 'tel' },
  { name: 'accessLineType', label: 'Access line', type: 'select', options: ACCESS_LINE_OPTIONS },
  { name: 'accessLineInsertedOn', label: 'Line inserted on', type: 'date' },
  { name: 'allergies', label: 'Allergies', type: 'textarea' },
];

export const THERAPY_FIELDS: readonly FieldSpec[] = [
  { name: 'drug', label: 'Drug', type: 'text', required: true },
  { name: 'dose', label: 'Dose', type: 'text', required: true },
  { name: 'rate_mL_h', label: 'Ordered rate (mL/h)', type: 'number', required: true },
  { name: 'vtbi_mL', label: 'Volume to be infused (mL)', type: 'number', required: true },
  { name: 'tolerance_pct', label: 'Tolerance (%)', type: 'number', hint: 'default 10' },
  {
    name: 'scheduleKind',
    label: 'Schedule',
    type: 'select',
    options: [
      { value: 'continuous', label: 'Continuous' },
      { value: 'intermittent', label: 'Intermittent (doses)' },
    ],
  },
  { name: 'everyHours', label: 'Every (hours)', type: 'number', hint: 'intermittent only' },
  { name: 'durationMin', label: 'Dose length (min)', type: 'number', hint: 'intermittent only' },
  { name: 'firstDoseAt', label: 'First dose', type: 'datetime-local', hint: 'intermittent only' },
  { name: 'startDate', label: 'Start date', type: 'date', required: true },
  { name: 'endDate', label: 'End date', type: 'date' },
  { name: 'prescriber', label: 'Prescriber', type: 'text' },
];

export const ASSIGNMENT_FIELDS: readonly FieldSpec[] = [
  { name: 'pumpId', label: 'Pump', type: 'select', required: true },
  { name: 'therapyId', label: 'Therapy', type: 'select', required: true },
];

export const FORM_FIELDS: Record<FormKind, readonly FieldSpec[]> = {
  patient: PATIENT_FIELDS,
  therapy: THERAPY_FIELDS,
  assignment: ASSIGNMENT_FIELDS,
};

/** Request path (as zod and the server write it) → the form field that shows its problem. */
const PATH_TO_FIELD: Record<FormKind, Record<string, string>> = {
  patient: {
    'phones.0.number': 'phone',
    'phones.0': 'phone',
    'caregivers.0.name': 'caregiverName',
    'caregivers.0.relation': 'caregiverRelation',
    'caregivers.0.phone': 'caregiverPhone',
    'caregivers.0': 'caregiverName',
    'accessLine.type': 'accessLineType',
    'accessLine.insertedOn': 'accessLineInsertedOn',
    accessLine: 'accessLineType',
  },
  therapy: {
    'order.rate_mL_h': 'rate_mL_h',
    'order.vtbi_mL': 'vtbi_mL',
    'order.tolerance_pct': 'tolerance_pct',
    'schedule.kind': 'scheduleKind',
    schedule: 'scheduleKind',
    'schedule.everyHours': 'everyHours',
    'schedule.durationMin': 'durationMin',
    'schedule.firstDoseAt': 'firstDoseAt',
  },
  assignment: { from: FORM_ERROR },
};

export function fieldOf(kind: FormKind, path: string): string {
  const mapped = PATH_TO_FIELD[kind][path];
  if (mapped) return mapped;
  const names = new Set(FORM_FIELDS[kind].map((f) => f.name));
  return names.has(path) ? path : FORM_ERROR;
}

/** zod's wording is for developers: a missing value reads "Required", the rest keeps its reason. */
function humanMessage(issue: { code: string; message: string; minimum?: unknown; origin?: unknown }) {
  if (issue.code === 'invalid_type' && /received (undefined|NaN)/.test(issue.message)) return 'Required';
  if (issue.code === 'too_small' && issue.origin === 'string' && issue.minimum === 1) return 'Required';
  return issue.message;
}

/** Issues (the browser's zod or the server's) → one message per field, the first problem of each kept. */
export function fieldErrors(
  kind: FormKind,
  issues: readonly { path: string; message: string; code?: string }[],
): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = fieldOf(kind, issue.path);
    errors[field] ??= issue.message;
  }
  return errors;
}

function zodErrors(kind: FormKind, error: z.ZodError): FieldErrors {
  return fieldErrors(
    kind,
    error.issues.map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: humanMessage(issue as Parameters<typeof humanMessage>[0]),
    })),
  );
}

const trimmed = (values: FormValues, name: string) => (values[name] ?? '').trim();
const optional = (values: FormValues, name: string) => trimmed(values, name) || undefined;
/** '' stays undefined (zod says "Required"); text that is not a number becomes NaN (zod refuses it). */
const numberOf = (values: FormValues, name: string) => {
  const text = trimmed(values, name);
  return text === '' ? undefined : Number(text);
};
/** A `datetime-local` value in the browser's zone → epoch ms; '' → undefined. */
const instantOf = (values: FormValues, name: string) => {
  const text = trimmed(values, name);
  return text === '' ? undefined : new Date(text).getTime();
};

/** The request body the patient form describes (before validation). */
export function patientBody(values: FormValues): Record<string, unknown> {
  const caregiver = ['caregiverName', 'caregiverRelation', 'caregiverPhone'].map((n) => trimmed(values, n));
  const phone = trimmed(values, 'phone');
  const line = trimmed(values, 'accessLineType');
  return {
    displayName: trimmed(values, 'displayName'),
    birthDate: trimmed(values, 'birthDate'),
    teamId: trimmed(values, 'teamId'),
    phones: phone ? [{ label: 'home', number: phone }] : [],
    // A caregiver half filled in is sent as such, so the missing part is named next to its field.
    caregivers: caregiver.some(Boolean)
      ? [{ name: caregiver[0], relation: caregiver[1], phone: caregiver[2] }]
      : [],
    ...(line
      ? {
          accessLine: {
            type: line,
            ...(optional(values, 'accessLineInsertedOn')
              ? { insertedOn: trimmed(values, 'accessLineInsertedOn') }
              : {}),
          },
        }
      : {}),
    ...(optional(values, 'allergies') ? { allergies: trimmed(values, 'allergies') } : {}),
  };
}

export function therapyBody(values: FormValues): Record<string, unknown> {
  const kind = trimmed(values, 'scheduleKind') || 'continuous';
  const tolerance = numberOf(values, 'tolerance_pct');
  return {
    drug: trimmed(values, 'drug'),
    dose: trimmed(values, 'dose'),
    order: {
      rate_mL_h: numberOf(values, 'rate_mL_h'),
      vtbi_mL: numberOf(values, 'vtbi_mL'),
      ...(tolerance === undefined ? {} : { tolerance_pct: tolerance }),
    },
    schedule:
      kind === 'intermittent'
        ? {
            kind,
            everyHours: numberOf(values, 'everyHours'),
            durationMin: numberOf(values, 'durationMin'),
            firstDoseAt: instantOf(values, 'firstDoseAt'),
          }
        : { kind },
    startDate: trimmed(values, 'startDate'),
    ...(optional(values, 'endDate') ? { endDate: trimmed(values, 'endDate') } : {}),
    ...(optional(values, 'prescriber') ? { prescriber: trimmed(values, 'prescriber') } : {}),
  };
}

const assignmentFormSchema = z.object({ pumpId: idSchema });

/** Validates a form in the browser with the protocol's schemas; `body` is what to send. */
export function validateForm(kind: FormKind, values: FormValues): Validated {
  if (kind === 'patient') {
    const body = patientBody(values);
    const parsed = patientInputSchema.safeParse(body);
    return parsed.success ? { ok: true, body } : { ok: false, errors: zodErrors(kind, parsed.error) };
  }
  if (kind === 'therapy') {
    const body = therapyBody(values);
    const parsed = therapyInputSchema.safeParse(body);
    if (parsed.success) {
      const end = (body as { endDate?: string }).endDate;
      if (end && end < (body as { startDate: string }).startDate)
        return { ok: false, errors: { endDate: 'The end date is before the start date' } };
      return { ok: true, body };
    }
    return { ok: false, errors: zodErrors(kind, parsed.error) };
  }
  const body = { therapyId: trimmed(values, 'therapyId') };
  const pump = assignmentFormSchema.safeParse({ pumpId: trimmed(values, 'pumpId') });
  const parsed = assignBodySchema.safeParse(body);
  const errors: FieldErrors = {
    ...(pump.success ? {} : zodErrors(kind, pump.error)),
    ...(parsed.success ? {} : zodErrors(kind, parsed.error)),
  };
  // An empty select is "choose one", not "id must match ^[A-Za-z0-9_-]{1,64}$".
  for (const name of ['pumpId', 'therapyId'])
    if (errors[name] && !trimmed(values, name)) errors[name] = 'Choose one';
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, body, pumpId: trimmed(values, 'pumpId') };
}

/** What a refused request says, next to the field at fault when there is one. */
export function serverErrors(kind: FormKind, failure: ApiFailure): FieldErrors {
  switch (failure.code) {
    case 'VALIDATION_FAILED':
      if (failure.issues && failure.issues.length > 0) return fieldErrors(kind, failure.issues);
      return { [FORM_ERROR]: `The server refused the form: ${failure.serverMessage ?? 'invalid input'}.` };
    case 'TEAM_NOT_FOUND':
      return { teamId: 'This care team no longer exists: choose another.' };
    case 'THERAPY_NOT_FOUND':
      return { therapyId: 'This therapy no longer exists.' };
    case 'PATIENT_DISCHARGED':
      return { [FORM_ERROR]: 'The patient is discharged: no new therapy or pump can be given.' };
    case 'ASSIGNMENT_CONFLICT':
      return { [FORM_ERROR]: `The pump cannot be assigned now: ${failure.serverMessage ?? 'conflict'}.` };
    case 'FORBIDDEN':
      return { [FORM_ERROR]: 'Your role cannot change patients: ask a coordinator. Nothing was saved.' };
    case 'NETWORK':
      return { [FORM_ERROR]: 'Could not reach the server: nothing was saved. Try again.' };
    default:
      return { [FORM_ERROR]: `The server refused the form (${failure.code}): nothing was saved.` };
  }
}
