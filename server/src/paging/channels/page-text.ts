import { type Priority, RULE_LABELS } from '@pumpwatch/protocol';
import type { PageMessage } from './channel.js';

/**
 * The words of a page, the same on every channel and as the dashboard's notification (dashboard/src/
 * notify.ts): who first (patient, drug), then what. Rule names come from protocol/src/rule-labels.ts.
 */

export const PRIORITY_WORD: Record<Priority, string> = { high: 'HIGH', medium: 'MED', low: 'LOW' };

export interface PageText {
  /** "[HIGH] Downstream occlusion — Ana Silva (Vancomycin)": the email subject. */
  subject: string;
  /** The notification title: the same without brackets, or who acknowledged it. */
  title: string;
  body: string;
  patient: string;
  drug: string | null;
  rule: string;
}

/** "Ana Silva (Vancomycin)", or "Unassigned pump PUMP-0004" when the alert names nobody. */
export function whoLine(message: PageMessage): { patient: string; drug: string | null; who: string } {
  const { alert } = message;
  const patient = alert.patient?.displayName ?? null;
  const drug = alert.therapy?.drug ?? null;
  if (!patient) return { patient: 'Unassigned pump', drug, who: `Unassigned pump ${alert.pumpId}` };
  return { patient, drug, who: drug ? `${patient} (${drug})` : patient };
}

export function pageText(message: PageMessage): PageText {
  const { alert, reason } = message;
  const rule = RULE_LABELS[alert.rule] ?? alert.rule;
  const { patient, drug, who } = whoLine(message);
  const headline = `${rule} — ${who}`;
  const subject = `${reason === 'test' ? '[TEST] ' : ''}[${PRIORITY_WORD[alert.priority]}] ${headline}`;
  const where = `pump ${alert.pumpId} on ${alert.hubId}`;
  if (reason === 'acknowledged') {
    const by = message.acknowledgedBy ?? alert.acknowledgedBy ?? 'someone';
    return {
      subject: `[ACKNOWLEDGED] ${headline}`,
      title: `Acknowledged by ${by}: ${headline}`,
      body: `${by} acknowledged this alert. ${alert.message} (${where})`,
      patient,
      drug,
      rule,
    };
  }
  if (reason === 'resolved') {
    return {
      subject: `[RESOLVED] ${headline}`,
      title: `Resolved: ${headline}`,
      body: `The condition has ended. ${alert.message} (${where})`,
      patient,
      drug,
      rule,
    };
  }
  const step = message.step > 0 ? ` — escalated to you (step ${message.step + 1})` : '';
  const test = reason === 'test' ? 'TEST — ' : '';
  return {
    subject,
    title: `${test}${PRIORITY_WORD[alert.priority]}: ${headline}${step}`,
    body: `${alert.message} (${where})`,
    patient,
    drug,
    rule,
  };
}
