import type { Alert, CareTeam, PatientSummary, Therapy } from '@pumpwatch/protocol';
import { formatRate, formatVolume } from '../format.js';
import { PRIORITY_SHORT, RULE_LABELS } from '../labels.js';
import { pumpHref } from '../route.js';
import type { PumpCardView } from '../view.js';
import { isFullPatient, type PatientReply } from './care-api.js';
import { ACCESS_LINE_OPTIONS } from './care-forms.js';
import { therapyLine } from './therapy-line.js';

/**
 * The patient page (`#/patients/{patientId}`) as plain strings: who, how to reach them (tap-to-call
 * `tel:` links), the access line and allergies, the therapies with their day and next dose, the pumps
 * on them now (the live cards) and the alert history with who acknowledged what. A viewer's reply is
 * the summary (initials, team, status): the page shows that and says why the rest is missing.
 */

export interface CallLink {
  label: string;
  number: string;
  /** `tel:+442079460100`: what a phone dials when tapped. */
  href: string;
}

export interface TherapyRow {
  id: string;
  drug: string;
  dose: string;
  orderText: string;
  scheduleText: string;
  /** "Day 12 of 42 · next dose 14:00, in 2 h 05 min". */
  timingText: string | null;
  status: Therapy['status'];
}

export interface PatientAlertRow {
  id: string;
  priority: Alert['priority'];
  text: string;
  /** "Acknowledged by grace at 14:03:27 · resolved 14:10:02". */
  statusText: string;
  pumpHref: string;
}

export interface PatientPageView {
  patientId: string;
  name: string;
  teamText: string;
  statusText: string;
  /** The caller's role sees no contact details: what the page says instead of them. */
  redactedNote: string | null;
  facts: { label: string; value: string }[];
  phones: CallLink[];
  caregivers: (CallLink & { relation: string })[];
  therapies: TherapyRow[];
  pumps: PumpCardView[];
  pumpsEmptyText: string;
  alerts: PatientAlertRow[];
  alertsText: string;
}

export const REDACTED_NOTE =
  'Your role (viewer) sees initials only: no contact details, address, allergies or notes (minimum necessary).';

/** Digits and a leading + only: what `tel:` wants ("+44 20 7946 0100" → "tel:+442079460100"). */
export function telHref(number: string): string {
  const trimmed = number.trim();
  return `tel:${trimmed.startsWith('+') ? '+' : ''}${trimmed.replace(/[^0-9]/g, '')}`;
}

const LINE_LABELS = new Map<string, string>(ACCESS_LINE_OPTIONS.map((o) => [o.value, o.label]));

export function scheduleText(schedule: Therapy['schedule']): string {
  return schedule.kind === 'continuous'
    ? 'Continuous'
    : `Every ${schedule.everyHours} h for ${schedule.durationMin} min`;
}

export function patientAlertStatus(alert: Alert, formatTime: (at: number) => string): string {
  const parts: string[] = [];
  if (alert.acknowledgedAt !== null || alert.acknowledgedBy !== null) {
    const when = alert.acknowledgedAt === null ? '' : ` at ${formatTime(alert.acknowledgedAt)}`;
    parts.push(`Acknowledged by ${alert.acknowledgedBy ?? 'unknown'}${when}`);
  } else if (alert.status === 'active') {
    parts.push('Active — not acknowledged');
  } else {
    parts.push('Never acknowledged');
  }
  if (alert.status === 'resolved' && alert.resolvedAt !== null)
    parts.push(`resolved ${formatTime(alert.resolvedAt)}`);
  return parts.join(' · ');
}

export interface PatientPageInput {
  patient: PatientReply;
  team: CareTeam | undefined;
  therapies: readonly Therapy[];
  /** Cards of the pumps whose current assignment is this patient's. */
  pumps: readonly PumpCardView[];
  /** null while loading or when the request failed (then `alertsError` says why). */
  alerts: readonly Alert[] | null;
  alertsError: string | null;
  now: number;
  formatTime: (at: number) => string;
}

export function patientPageView(input: PatientPageInput): PatientPageView {
  const { patient, team, now } = input;
  const full = isFullPatient(patient);
  const summary = patient as PatientSummary;
  const facts: { label: string; value: string }[] = [];
  let phones: CallLink[] = [];
  let caregivers: PatientPageView['caregivers'] = [];
  if (full) {
    facts.push({ label: 'Date of birth', value: patient.birthDate });
    const line = patient.accessLine;
    facts.push({
      label: 'Access line',
      value: line
        ? [
            LINE_LABELS.get(line.type) ?? line.type,
            line.site,
            line.insertedOn ? `inserted ${line.insertedOn}` : '',
          ]
            .filter(Boolean)
            .join(', ')
        : 'Not recorded',
    });
    facts.push({ label: 'Allergies', value: patient.allergies?.trim() || 'None recorded' });
    if (patient.language) facts.push({ label: 'Language', value: patient.language });
    if (patient.address) {
      const a = patient.address;
      facts.push({
        label: 'Address',
        value: [a.line1, a.line2, a.city, a.postalCode].filter(Boolean).join(', '),
      });
    }
    for (const ext of patient.externalIds) facts.push({ label: ext.system, value: ext.value });
    if (patient.notes) facts.push({ label: 'Notes', value: patient.notes });
    phones = patient.phones.map((p) => ({ label: p.label, number: p.number, href: telHref(p.number) }));
    caregivers = patient.caregivers.map((c) => ({
      label: c.name,
      relation: c.relation,
      number: c.phone,
      href: telHref(c.phone),
    }));
  }
  const therapies = [...input.therapies]
    .sort(
      (a, b) =>
        Number(a.status === 'completed') - Number(b.status === 'completed') ||
        b.startDate.localeCompare(a.startDate),
    )
    .map((t) => ({
      id: t.id,
      drug: t.drug,
      dose: t.dose,
      orderText: `${formatRate(t.order.rate_mL_h)}, ${formatVolume(t.order.vtbi_mL)} (±${t.order.tolerance_pct} %)`,
      scheduleText: scheduleText(t.schedule),
      timingText: therapyLine(t, team?.timeZone, now),
      status: t.status,
    }));
  const alerts = [...(input.alerts ?? [])]
    .sort((a, b) => b.raisedAt - a.raisedAt)
    .map((a) => ({
      id: a.id,
      priority: a.priority,
      text: `${input.formatTime(a.raisedAt)} ${PRIORITY_SHORT[a.priority]} ${RULE_LABELS[a.rule]} on ${a.pumpId}${
        a.therapy ? ` (${a.therapy.drug})` : ''
      }`,
      statusText: patientAlertStatus(a, input.formatTime),
      pumpHref: pumpHref(a.pumpId),
    }));
  return {
    patientId: patient.id,
    name: patient.displayName,
    teamText: team ? team.name : patient.teamId,
    statusText: patient.status === 'discharged' ? 'Discharged' : 'Active',
    redactedNote: full ? null : summary.redacted ? REDACTED_NOTE : 'The server sent no contact details.',
    facts,
    phones,
    caregivers,
    therapies,
    pumps: [...input.pumps],
    pumpsEmptyText: 'No pump is assigned to this patient now.',
    alerts,
    alertsText:
      input.alertsError ??
      (input.alerts === null
        ? 'Loading the alert history…'
        : alerts.length === 0
          ? 'No alerts recorded.'
          : ''),
  };
}
