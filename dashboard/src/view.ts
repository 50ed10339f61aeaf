import type { Alert, Priority } from '@pumpwatch/protocol';
import { alertCareView, careLabel, isTeamAlert } from './care-view.js';
import { formatAgo, formatClock, formatCountdown } from './format.js';
import { PRIORITY_LABELS, PRIORITY_SHORT, RULE_LABELS, STATUS_LABELS } from './labels.js';
import { alertHref, patientHref, teamOncallHref } from './route.js';

/**
 * View models: everything the DOM shows, as plain strings and numbers, computed by pure functions so
 * they are unit-tested without a browser. The render/ modules only copy these into elements.
 */

export * from './care-view.js';
export * from './pump-view.js';

export interface AlertRowView {
  id: string;
  /** The pump (or, for a team's alarm, the team) the alert is about: the console's card groups by it. */
  groupKey: string;
  priority: Priority;
  status: Alert['status'];
  priorityLabel: string;
  priorityShort: string;
  ruleLabel: string;
  message: string;
  /** The patient's display name (initials for a viewer), or "Unassigned pump": shown first and largest. */
  patientText: string;
  /** False when no patient is named (unassigned pump, older server). */
  assigned: boolean;
  /** The therapy's drug, or null. */
  drugText: string | null;
  /** "Day 12 of 42 · next dose 14:00, in 2 h 05 min"; null when unknown. */
  therapyText: string | null;
  /** The patient page of the patient the alert was raised for; null for an unassigned pump. */
  patientHref: string | null;
  /** "PUMP-0004 on demo-hub": second, smaller ("On-call rota of North" for a team's own alarm). */
  pumpText: string;
  /** The alert's own page: escalation path and receipts (`#/alerts/{id}`). */
  detailHref: string;
  raisedText: string;
  statusText: string;
  /** Extra facts worth a glance: latched. */
  notes: string[];
  /** "Escalated to tier 2, 3 min ago" / "Priority raised 1 min ago"; null before any escalation. */
  escalationText: string | null;
  escalationLevel: number;
  /** "Audio snoozed until 14:05:30 (1:45 left)"; null when not snoozed. */
  snoozeText: string | null;
  canAcknowledge: boolean;
  /** Accessible name of the acknowledge button: which alert it acknowledges. */
  ackLabel: string;
  /** Active high and medium alerts sound; those can be snoozed while they are not. */
  canSnooze: boolean;
  snoozeLabel: string;
  /** IEC 60601-1-8: active high and medium alarms flash; acknowledged ones no longer do. */
  flashing: boolean;
}

export interface AlertRowOptions {
  /** When this console alone keeps the alert quiet (the server did not record a snooze); server clock. */
  localSnoozedUntil?: number | null;
  /** The therapy's day and next dose (care/therapy-line.ts), when known. */
  therapyText?: string | null;
  /** The care team's name, for an alarm about a team ("nobody reachable"), when known. */
  teamName?: string | null;
}

/** `now` is the server's clock (state.serverNow): every time in an alert is server or pump time. */
export function alertRowView(
  alert: Alert,
  now: number,
  timeZone?: string,
  options: AlertRowOptions = {},
): AlertRowView {
  const rule = RULE_LABELS[alert.rule];
  const team = isTeamAlert(alert);
  const teamText = options.teamName ?? 'a care team';
  const pumpText = team ? `On-call rota of ${teamText}` : `${alert.pumpId} on ${alert.hubId}`;
  // A team's own alarm names the team where a patient goes, and links its rota, not a pump.
  const care = team ? { assigned: true, patientText: teamText, drugText: null } : alertCareView(alert);
  const subject = `${careLabel(care)}, ${pumpText}`;
  const notes: string[] = [];
  if (alert.latched) notes.push('Condition ended — kept until acknowledged');
  const snoozedOnServer = alert.snoozedUntil !== null && alert.snoozedUntil > now;
  const local = options.localSnoozedUntil ?? null;
  const snoozedLocally = !snoozedOnServer && local !== null && local > now;
  let snoozeText: string | null = null;
  if (alert.status === 'active' && snoozedOnServer) {
    const until = alert.snoozedUntil as number;
    snoozeText = `Audio snoozed until ${formatClock(until, timeZone)} (${formatCountdown(until - now)} left)`;
  } else if (alert.status === 'active' && snoozedLocally) {
    snoozeText = `Audio paused on this console only until ${formatClock(local, timeZone)} (${formatCountdown(local - now)} left)`;
  }
  const sounds = alert.status === 'active' && alert.priority !== 'low';
  return {
    id: alert.id,
    groupKey: alert.pumpId,
    priority: alert.priority,
    status: alert.status,
    priorityLabel: PRIORITY_LABELS[alert.priority],
    priorityShort: PRIORITY_SHORT[alert.priority],
    ruleLabel: rule,
    message: alert.message,
    patientText: care.patientText,
    assigned: care.assigned,
    drugText: care.drugText,
    therapyText: options.therapyText ?? null,
    patientHref: team ? teamOncallHref(alert.pumpId) : alert.patient ? patientHref(alert.patient.id) : null,
    pumpText,
    detailHref: alertHref(alert.id),
    raisedText: `Raised ${formatClock(alert.raisedAt, timeZone)} (${formatAgo(now - alert.raisedAt)})`,
    statusText: statusText(alert, timeZone),
    notes,
    escalationText: escalationText(alert, now),
    escalationLevel: alert.escalationLevel,
    snoozeText,
    canAcknowledge: alert.status === 'active',
    ackLabel: `Acknowledge ${PRIORITY_LABELS[alert.priority].toLowerCase()} alert: ${rule} for ${subject}`,
    canSnooze: sounds && snoozeText === null,
    snoozeLabel: `Snooze the sound of ${PRIORITY_LABELS[alert.priority].toLowerCase()} alert: ${rule} for ${subject}`,
    flashing: alert.status === 'active' && alert.priority !== 'low',
  };
}

/**
 * Escalation (docs/clinical-reference.md#alert-communication-and-escalation: the Alert Manager moves an
 * unacknowledged alert to the next on-call tier, then re-notifies). Tier numbers count from 1 for people;
 * `escalationLevel` counts from 0. While nobody has acknowledged, the row also says when the next escalation
 * is due (`nextEscalationAt`, server time).
 */
export function escalationText(alert: Alert, now: number): string | null {
  const parts: string[] = [];
  if (alert.escalationLevel > 0) {
    const ago = alert.escalatedAt === null ? '' : `, ${formatAgo(now - alert.escalatedAt)}`;
    parts.push(`Escalated to tier ${alert.escalationLevel + 1}${ago}`);
  } else if (alert.escalatedAt !== null) {
    parts.push(`Priority raised ${formatAgo(now - alert.escalatedAt)}`);
  }
  const due = alert.nextEscalationAt ?? null;
  if (alert.status === 'active' && due !== null) {
    const when = due > now ? `in ${formatCountdown(due - now)}` : 'now';
    if (parts.length === 0) parts.push('Tier 1 notified');
    parts.push(`next escalation ${when} unless acknowledged`);
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

function statusText(alert: Alert, timeZone?: string): string {
  if (alert.status === 'acknowledged') {
    const who = alert.acknowledgedBy ?? 'unknown';
    const when = alert.acknowledgedAt === null ? '' : ` at ${formatClock(alert.acknowledgedAt, timeZone)}`;
    return `Acknowledged by ${who}${when}`;
  }
  if (alert.status === 'resolved' && alert.resolvedAt !== null) {
    return `Resolved at ${formatClock(alert.resolvedAt, timeZone)}`;
  }
  return STATUS_LABELS[alert.status];
}

export interface SummaryView {
  /** Active (unacknowledged) alerts by priority. */
  active: Record<Priority, number>;
  acknowledged: number;
  text: string;
}

export function summaryView(alerts: readonly Alert[]): SummaryView {
  const active: Record<Priority, number> = { high: 0, medium: 0, low: 0 };
  let acknowledged = 0;
  for (const a of alerts) {
    if (a.status === 'active') active[a.priority]++;
    else if (a.status === 'acknowledged') acknowledged++;
  }
  const total = active.high + active.medium + active.low;
  const text =
    total === 0
      ? `No unacknowledged alerts${acknowledged ? `, ${acknowledged} acknowledged` : ''}`
      : `${total} unacknowledged: ${active.high} high, ${active.medium} medium, ${active.low} low`;
  return { active, acknowledged, text };
}
