import { type Alert, PRIORITY_RANK, type RuleId } from '@pumpwatch/protocol';
import type { Condition } from './engine/types.js';

export type AlertEventType = 'raised' | 'escalated' | 'latched' | 'acknowledged' | 'resolved' | 'snoozed';

/** One transition of one alert: the alert after it, and what happened. Alerts are sent on transitions. */
export interface AlertTransition {
  type: AlertEventType;
  alert: Alert;
  at: number;
  actor: string;
}

export interface ReconcileContext {
  hubId: string;
  pumpId: string;
  now: number;
  /** Makes ids unique and deterministic: the sample's seq, or the liveness tick time. */
  idSuffix: string | number;
}

/**
 * Pure alarm lifecycle (IEC 60601-1-8, IHE ACM) for one pump: compares the open alerts of the rules in
 * `scope` with the conditions that hold now and returns the transitions. One alert per (pump, rule)
 * while its condition lasts; priority rises keep the alert id; a high alert whose condition ends before
 * anyone acknowledged it latches instead of resolving.
 */
export function reconcile(
  open: ReadonlyMap<RuleId, Alert>,
  conditions: ReadonlyMap<RuleId, Condition>,
  scope: readonly RuleId[],
  ctx: ReconcileContext,
): AlertTransition[] {
  const transitions: AlertTransition[] = [];
  for (const rule of scope) {
    const alert = open.get(rule);
    const condition = conditions.get(rule);
    if (condition && !alert) {
      transitions.push({ type: 'raised', alert: raise(condition, ctx), at: ctx.now, actor: 'engine' });
    } else if (condition && alert) {
      const rising = PRIORITY_RANK[condition.priority] > PRIORITY_RANK[alert.priority];
      if (rising) {
        const escalated: Alert = {
          ...alert,
          priority: condition.priority,
          message: condition.message,
          details: condition.details,
          latched: false,
          escalatedAt: ctx.now,
        };
        transitions.push({ type: 'escalated', alert: escalated, at: ctx.now, actor: 'engine' });
      } else if (alert.latched) {
        // The condition came back before anyone acknowledged: the same alert is live again.
        const relive: Alert = { ...alert, latched: false, details: condition.details };
        transitions.push({ type: 'raised', alert: relive, at: ctx.now, actor: 'engine' });
      }
    } else if (!condition && alert) {
      const transition = conditionEnded(alert, ctx.now);
      if (transition) transitions.push(transition);
    }
  }
  return transitions;
}

function raise(condition: Condition, ctx: ReconcileContext): Alert {
  return {
    id: `${ctx.pumpId}.${condition.rule}.${ctx.idSuffix}`,
    hubId: ctx.hubId,
    pumpId: ctx.pumpId,
    rule: condition.rule,
    priority: condition.priority,
    status: 'active',
    raisedAt: ctx.now,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    message: condition.message,
    details: condition.details,
    latched: false,
    snoozedUntil: null,
    escalationLevel: 0,
    escalatedAt: null,
  };
}

function conditionEnded(alert: Alert, now: number): AlertTransition | null {
  if (alert.status === 'active' && alert.priority === 'high') {
    if (alert.latched) return null;
    return { type: 'latched', alert: { ...alert, latched: true }, at: now, actor: 'engine' };
  }
  return {
    type: 'resolved',
    alert: { ...alert, status: 'resolved', resolvedAt: now, latched: false },
    at: now,
    actor: 'engine',
  };
}

/**
 * Acknowledging never clears a live condition (remote acknowledgement acknowledges; ALARMS.md). A latched
 * alert, whose condition has already ended, resolves on acknowledgement.
 */
export function acknowledge(alert: Alert, by: string, now: number): AlertTransition[] {
  if (alert.status !== 'active') return [];
  const acknowledged: Alert = { ...alert, status: 'acknowledged', acknowledgedAt: now, acknowledgedBy: by };
  const transitions: AlertTransition[] = [{ type: 'acknowledged', alert: acknowledged, at: now, actor: by }];
  if (alert.latched) {
    const resolved: Alert = { ...acknowledged, status: 'resolved', resolvedAt: now, latched: false };
    transitions.push({ type: 'resolved', alert: resolved, at: now, actor: by });
  }
  return transitions;
}
