import type { Alert, EscalationPolicy, Priority } from '@pumpwatch/protocol';
import { type EscalationPosition, escalationStep } from '../oncall/recipients.js';
import type { PageRecord } from './page-record.js';

/**
 * The escalation walk of one alert, pure: no clock, store or channel. The paging service
 * (paging-service.ts) asks what is due, sends it, and hands back what it reached; these functions say
 * what comes next. Time is always passed in, so tests run a night's escalation in microseconds.
 */

/** The page to send next: its number across repeats and its place in the policy. */
export interface DuePage {
  attempt: number;
  position: EscalationPosition;
}

/** The first page at or after `from` that pages this priority (a step with a null delay does not). */
export function pageFrom(policy: EscalationPolicy, from: number, priority: Priority): DuePage | null {
  for (let attempt = from; ; attempt += 1) {
    const position = escalationStep(policy, attempt, priority);
    if (!position) return null;
    if (position.delayMs !== null) return { attempt, position };
  }
}

/** A new alert's record: its first page due now, or quiet when the policy pages nobody for its priority. */
export function startPaging(
  alert: Alert,
  teamId: string | null,
  policy: EscalationPolicy,
  now: number,
): PageRecord {
  const first = pageFrom(policy, 0, alert.priority);
  return {
    alertId: alert.id,
    pumpId: alert.pumpId,
    hubId: alert.hubId,
    teamId,
    priority: alert.priority,
    attempt: first?.attempt ?? 0,
    nextAt: first ? now : null,
    sending: null,
    state: first ? 'paging' : 'quiet',
    stopped: null,
    reached: [],
    pagesReached: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** The page due at `now`, if any; `exhausted` when the policy is over and the last wait has passed. */
export function duePage(
  record: PageRecord,
  policy: EscalationPolicy,
  now: number,
): DuePage | 'exhausted' | null {
  if (record.state !== 'paging' || record.nextAt === null || record.nextAt > now) return null;
  return pageFrom(policy, record.attempt, record.priority) ?? 'exhausted';
}

/** Marks a page begun: stored before anything is sent. */
export function beginPage(record: PageRecord, page: DuePage, now: number): PageRecord {
  return { ...record, sending: { attempt: page.attempt, startedAt: now }, updatedAt: now };
}

/** After a page went out: whom it reached, and when the next one is due (its step's wait from now). */
export function finishPage(
  record: PageRecord,
  page: DuePage,
  outcome: { reachedUsers: readonly string[]; reachedAnyone: boolean },
  now: number,
): PageRecord {
  const reached = [...new Set([...record.reached, ...outcome.reachedUsers])];
  const stillPaging = record.state === 'paging';
  return {
    ...record,
    sending: null,
    attempt: page.attempt + 1,
    nextAt: stillPaging ? now + (page.position.delayMs ?? 0) : null,
    reached,
    pagesReached: record.pagesReached + (outcome.reachedAnyone ? 1 : 0),
    updatedAt: now,
  };
}

/** Paging ended with nobody acknowledging: every step of every pass was sent and waited for. */
export function exhaust(record: PageRecord, now: number): PageRecord {
  return { ...record, state: 'exhausted', nextAt: null, updatedAt: now };
}

/**
 * An acknowledgement or a resolution: paging stops at once when the policy stops on it (both, by
 * default). Null when it does not stop (the record is unchanged) or is already over.
 */
export function stopPaging(
  record: PageRecord,
  reason: 'acknowledged' | 'resolved',
  by: string,
  policy: EscalationPolicy,
  now: number,
): PageRecord | null {
  if (record.state === 'stopped' || !policy.stopOn.includes(reason)) return null;
  return { ...record, state: 'stopped', nextAt: null, stopped: { reason, by, at: now }, updatedAt: now };
}

/** A priority that rose: a quiet alert (low, not paged) starts paging now; a paging one pages on at the new priority's waits. */
export function raisePriority(
  record: PageRecord,
  priority: Priority,
  policy: EscalationPolicy,
  now: number,
): PageRecord {
  if (record.state !== 'quiet' && record.state !== 'paging') return { ...record, priority, updatedAt: now };
  const next = pageFrom(policy, record.state === 'quiet' ? 0 : record.attempt, priority);
  if (!next) return { ...record, priority, updatedAt: now };
  const due =
    record.state === 'quiet'
      ? now
      : Math.min(record.nextAt ?? now, now + (policy.steps[0]?.delayMs[priority] ?? 0));
  return { ...record, priority, state: 'paging', attempt: next.attempt, nextAt: due, updatedAt: now };
}
