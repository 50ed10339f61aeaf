import {
  type Alert,
  type alertEventTypes,
  MAX_SNOOZE_MS,
  PRIORITY_RANK,
  type Priority,
  type RuleId,
} from '@pumpwatch/protocol';
import type { Condition } from './engine/describe.js';

/** The kinds of event in an alert's log; the list lives with the API schema (protocol/src/ops-api.ts). */
export type AlertEventType = (typeof alertEventTypes)[number];

/** One transition of one alert: the alert after it, and what happened. Alerts are sent on transitions. */
export interface AlertTransition {
  type: AlertEventType;
  alert: Alert;
  /** Server time of the transition. */
  at: number;
  actor: string;
  details?: Record<string, unknown>;
}

/**
 * How long an unacknowledged alert waits before the next on-call tier is notified (high 2 min, medium
 * 10 min, proposed: docs/clinical-reference.md#alert-communication-and-escalation); null = never
 * escalates. `tiers` is how many on-call tiers exist.
 */
export interface EscalationPolicy {
  afterMs: Record<Priority, number | null>;
  tiers: number;
}

export const defaultEscalationPolicy: EscalationPolicy = {
  afterMs: { high: 120_000, medium: 600_000, low: null },
  tiers: 1,
};

export interface ReconcileContext {
  hubId: string;
  pumpId: string;
  /** Event time of what is being evaluated (the sample's `ts`; the server clock for liveness). */
  eventTime: number;
  /** Server clock, for escalation timers. */
  serverNow: number;
  /** Makes ids unique and deterministic: the sample's seq, or the liveness tick time. */
  idSuffix: string | number;
  policy: EscalationPolicy;
  /**
   * Alerts of this pump resolved recently, by rule, and how long after resolving each rule's alert
   * reopens when its condition returns (one episode, one alert; issue 16). Without them every return
   * of a condition raises a new alert.
   */
  recent?: ReadonlyMap<RuleId, Alert>;
  reopenWithinMs?: (rule: RuleId) => number;
}

/**
 * One cause, one alert (issue 16): a rule raising here resolves the open alerts of the rules it lists,
 * which explain less of the same cause, and takes over their acknowledgement. While it is open they do
 * not raise. occlusion_downstream: a developing occlusion (or a resistance rise) that reached the limit
 * is the occlusion the pump alarms on, one alert for the nurse, not two side by side.
 * infiltration_suspected: a rise that settled below the limit (it never raises while pressure still
 * climbs like an occlusion) is the site, not a line closing: the early warning it followed was its
 * first sign.
 */
export const SUPERSEDES: Partial<Record<RuleId, readonly RuleId[]>> = {
  occlusion_downstream: ['occlusion_developing', 'infiltration_suspected'],
  infiltration_suspected: ['occlusion_developing'],
};
const SUPERSEDED_BY = new Map<RuleId, RuleId[]>();
for (const [by, rules] of Object.entries(SUPERSEDES) as Array<[RuleId, RuleId[]]>) {
  for (const rule of rules) SUPERSEDED_BY.set(rule, [...(SUPERSEDED_BY.get(rule) ?? []), by]);
}

/** How many rules supersede this one, directly or through another: 0 for a rule nothing explains. */
function supersededDepth(rule: RuleId, seen: ReadonlySet<RuleId> = new Set()): number {
  const by = (SUPERSEDED_BY.get(rule) ?? []).filter((r) => !seen.has(r));
  return by.length === 0 ? 0 : 1 + Math.max(...by.map((r) => supersededDepth(r, new Set([...seen, rule]))));
}

const supersedingFirst = new WeakMap<readonly RuleId[], readonly RuleId[]>();

/**
 * The scope with every superseding rule before the rules it supersedes (otherwise in its own order), so
 * two conditions of one cause arriving with one sample raise the alert that explains more, alone.
 */
function inSupersedingOrder(scope: readonly RuleId[]): readonly RuleId[] {
  if (scope.length < 2) return scope;
  let ordered = supersedingFirst.get(scope);
  if (!ordered) {
    ordered = scope
      .map((rule, index) => ({ rule, index, depth: supersededDepth(rule) }))
      .sort((a, b) => a.depth - b.depth || a.index - b.index)
      .map(({ rule }) => rule);
    supersedingFirst.set(scope, ordered);
  }
  return ordered;
}

function nextEscalation(priority: Priority, from: number, policy: EscalationPolicy): number | null {
  const after = policy.afterMs[priority];
  return after === null ? null : from + after;
}

/**
 * Pure alarm lifecycle (IEC 60601-1-8, IHE ACM) for one pump: compares the open alerts of the rules in
 * `scope` with the conditions that hold now and returns the transitions. One alert per (pump, rule)
 * while its condition lasts; a rising priority keeps the alert id; a high alert whose condition ends
 * before anyone acknowledged it latches instead of resolving.
 */
export function reconcile(
  open: ReadonlyMap<RuleId, Alert>,
  conditions: ReadonlyMap<RuleId, Condition>,
  scope: readonly RuleId[],
  ctx: ReconcileContext,
): AlertTransition[] {
  const transitions: AlertTransition[] = [];
  const at = ctx.serverNow;
  /** Alerts superseded by a raise in this call: done with, whatever their own condition says. */
  let superseded: Set<RuleId> | null = null;
  for (const rule of inSupersedingOrder(scope)) {
    const alert = open.get(rule);
    const condition = conditions.get(rule);
    if (superseded?.has(rule)) continue;
    if (condition && !alert) {
      if (isSupersededByOpen(rule, open, transitions)) continue;
      const reopened = reopen(rule, condition, ctx);
      if (reopened) {
        transitions.push(reopened);
        continue;
      }
      const raised = raise(condition, ctx);
      const replaced = supersede(rule, raised, open, at);
      transitions.push({
        type: 'raised',
        alert: raised,
        at,
        actor: 'engine',
        ...(replaced.length ? { details: { supersedes: replaced.map((t) => t.alert.id) } } : {}),
      });
      for (const t of replaced) {
        transitions.push(t);
        superseded ??= new Set();
        superseded.add(t.alert.rule);
      }
    } else if (condition && alert) {
      if (PRIORITY_RANK[condition.priority] > PRIORITY_RANK[alert.priority]) {
        const sooner = nextEscalation(condition.priority, ctx.serverNow, ctx.policy);
        const escalated: Alert = {
          ...alert,
          priority: condition.priority,
          message: condition.message,
          details: condition.details,
          latched: false,
          escalatedAt: ctx.serverNow,
          nextEscalationAt:
            alert.status === 'active' ? minDefined(alert.nextEscalationAt ?? null, sooner) : null,
        };
        transitions.push({
          type: 'escalated',
          alert: escalated,
          at,
          actor: 'engine',
          details: { from: alert.priority },
        });
      } else if (alert.latched) {
        // The condition came back before anyone acknowledged: the same alert is live again.
        transitions.push({
          type: 'retriggered',
          alert: { ...alert, latched: false, details: condition.details },
          at,
          actor: 'engine',
          details: { from: 'latched' },
        });
      }
    } else if (!condition && alert) {
      const transition = conditionEnded(alert, ctx.serverNow);
      if (transition) transitions.push(transition);
    }
  }
  return transitions;
}

/** Whether a rule that supersedes this one is open, or raised in this call: then this one stays quiet. */
function isSupersededByOpen(
  rule: RuleId,
  open: ReadonlyMap<RuleId, Alert>,
  transitions: readonly AlertTransition[],
): boolean {
  const by = SUPERSEDED_BY.get(rule);
  if (!by) return false;
  return by.some((r) => open.has(r) || transitions.some((t) => t.type === 'raised' && t.alert.rule === r));
}

/**
 * The open alerts `raised` supersedes, resolved with a link to it; `raised` takes over the earliest
 * acknowledgement among them (someone already answers for this cause: paging them again for it would
 * be the noise this rule exists to remove). Mutates `raised` (fresh from `raise`).
 */
function supersede(
  rule: RuleId,
  raised: Alert,
  open: ReadonlyMap<RuleId, Alert>,
  at: number,
): AlertTransition[] {
  const out: AlertTransition[] = [];
  for (const older of SUPERSEDES[rule] ?? []) {
    const alert = open.get(older);
    if (!alert) continue;
    if (alert.acknowledgedAt !== null && raised.status === 'active') {
      raised.status = 'acknowledged';
      raised.acknowledgedAt = alert.acknowledgedAt;
      raised.acknowledgedBy = alert.acknowledgedBy;
      raised.nextEscalationAt = null;
    }
    raised.details = { ...raised.details, supersedes: alert.id };
    const ended = resolved(alert, at);
    ended.details = { ...alert.details, supersededBy: raised.id };
    out.push({
      type: 'resolved',
      alert: ended,
      at,
      actor: 'engine',
      details: { reason: 'superseded', supersededBy: raised.id },
    });
  }
  return out;
}

/**
 * A condition back within its rule's hold-off after the alert resolved: the same alert again, with its
 * id and its acknowledgement (acknowledged stays until the alert ends: docs/clinical-reference.md, and
 * this episode has not ended). Unacknowledged, it escalates again from now. A superseded alert is not
 * reopened: the alert that superseded it answers for the cause.
 */
function reopen(rule: RuleId, condition: Condition, ctx: ReconcileContext): AlertTransition | null {
  const previous = ctx.recent?.get(rule);
  if (!previous || previous.resolvedAt === null || previous.details.supersededBy !== undefined) return null;
  const within = ctx.reopenWithinMs?.(rule) ?? 0;
  const since = ctx.serverNow - previous.resolvedAt;
  if (since > within) return null;
  const acknowledged = previous.acknowledgedAt !== null;
  const alert: Alert = {
    ...previous,
    status: acknowledged ? 'acknowledged' : 'active',
    priority: condition.priority,
    message: condition.message,
    details: condition.details,
    resolvedAt: null,
    latched: false,
    snoozedUntil: null,
    nextEscalationAt: acknowledged ? null : nextEscalation(condition.priority, ctx.serverNow, ctx.policy),
  };
  return {
    type: 'retriggered',
    alert,
    at: ctx.serverNow,
    actor: 'engine',
    details: { resolvedAt: previous.resolvedAt, afterMs: since },
  };
}

function minDefined(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function raise(condition: Condition, ctx: ReconcileContext): Alert {
  return {
    id: `${ctx.pumpId}.${condition.rule}.${ctx.idSuffix}`,
    hubId: ctx.hubId,
    pumpId: ctx.pumpId,
    rule: condition.rule,
    priority: condition.priority,
    status: 'active',
    raisedAt: ctx.eventTime,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    message: condition.message,
    details: condition.details,
    latched: false,
    snoozedUntil: null,
    escalationLevel: 0,
    escalatedAt: null,
    nextEscalationAt: nextEscalation(condition.priority, ctx.serverNow, ctx.policy),
  };
}

function conditionEnded(alert: Alert, now: number): AlertTransition | null {
  if (alert.status === 'active' && alert.priority === 'high') {
    if (alert.latched) return null;
    return { type: 'latched', alert: { ...alert, latched: true }, at: now, actor: 'engine' };
  }
  return { type: 'resolved', alert: resolved(alert, now), at: now, actor: 'engine' };
}

function resolved(alert: Alert, now: number): Alert {
  return {
    ...alert,
    status: 'resolved',
    resolvedAt: now,
    latched: false,
    nextEscalationAt: null,
    snoozedUntil: null,
  };
}

/**
 * Acknowledging never clears a live condition (remote acknowledgement acknowledges:
 * docs/clinical-reference.md#alarm-lifecycle) and stops escalation. A latched alert, whose condition has
 * already ended, resolves on acknowledgement.
 */
export function acknowledge(alert: Alert, by: string, now: number): AlertTransition[] {
  if (alert.status !== 'active') return [];
  const acknowledged: Alert = {
    ...alert,
    status: 'acknowledged',
    acknowledgedAt: now,
    acknowledgedBy: by,
    nextEscalationAt: null,
  };
  const transitions: AlertTransition[] = [{ type: 'acknowledged', alert: acknowledged, at: now, actor: by }];
  if (alert.latched)
    transitions.push({ type: 'resolved', alert: resolved(acknowledged, now), at: now, actor: by });
  return transitions;
}

/**
 * Audio pause for a bounded time (never indefinite; 2 min default:
 * docs/clinical-reference.md#alarm-lifecycle). Snoozing silences the console only: escalation goes on,
 * because nobody has taken responsibility yet.
 */
export function snooze(alert: Alert, by: string, durationMs: number, now: number): AlertTransition[] {
  if (alert.status === 'resolved') return [];
  const bounded = Math.min(Math.max(durationMs, 0), MAX_SNOOZE_MS);
  return [
    {
      type: 'snoozed',
      alert: { ...alert, snoozedUntil: now + bounded },
      at: now,
      actor: by,
      details: { durationMs: bounded },
    },
  ];
}

/**
 * Escalation on non-response (IHE ACM: the Alert Manager owns it): an active, unacknowledged alert whose
 * time is up goes to the next on-call tier, or — past the last tier — is re-notified, until someone
 * acknowledges it.
 */
export function escalate(alert: Alert, now: number, policy: EscalationPolicy): AlertTransition[] {
  const due = alert.nextEscalationAt;
  if (alert.status !== 'active' || due === null || due === undefined || now < due) return [];
  const next = nextEscalation(alert.priority, now, policy);
  if (alert.escalationLevel + 1 < policy.tiers) {
    const escalated: Alert = {
      ...alert,
      escalationLevel: alert.escalationLevel + 1,
      escalatedAt: now,
      nextEscalationAt: next,
    };
    return [
      {
        type: 'escalated',
        alert: escalated,
        at: now,
        actor: 'escalation',
        details: { tier: escalated.escalationLevel },
      },
    ];
  }
  return [
    {
      type: 'renotified',
      alert: { ...alert, nextEscalationAt: next },
      at: now,
      actor: 'escalation',
      details: { tier: alert.escalationLevel },
    },
  ];
}
