import { type Alert, ackBodySchema, alertsQuerySchema, snoozeBodySchema } from '@pumpwatch/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../../auth/audit-log.js';
import { hasRole } from '../../auth/roles.js';
import { redactAlert } from '../../care/redact.js';
import { PumpwatchError } from '../../errors.js';
import type { AlertFilter, AlertStore } from '../../store/ports.js';
import type { WardShell } from '../../ward/ward-shell.js';
import { sendError, sendValidationError } from '../errors.js';
import { allow, identityOf, type Security } from '../security.js';

export const alertParams = z.object({ alertId: z.string().min(1).max(128) });
/** The same cap as `WardShell.listAlerts` without a filter. */
const LIST_LIMIT = 10_000;

interface AlertQueryFilter extends AlertFilter {
  patientId?: string;
  teamId?: string;
}

function matches(alert: Alert, filter: AlertQueryFilter): boolean {
  return (
    (filter.pumpId === undefined || alert.pumpId === filter.pumpId) &&
    (filter.patientId === undefined || alert.patient?.id === filter.patientId) &&
    (filter.teamId === undefined || alert.patient?.teamId === filter.teamId) &&
    (filter.from === undefined || alert.raisedAt >= filter.from) &&
    (filter.to === undefined || alert.raisedAt <= filter.to)
  );
}

/** Viewers get patients by initials (docs/security.md); nurses and above see names. */
function redactionFor(request: FastifyRequest): (alert: Alert) => Alert {
  return hasRole(identityOf(request).role, 'nurse') ? (alert) => alert : redactAlert;
}

export function registerAlertRoutes(
  app: FastifyInstance,
  deps: { ward: WardShell; store: AlertStore; security: Security; audit: AuditLog },
): void {
  const viewer = allow('viewer');
  const nurse = allow('nurse');
  /** The logged-in user acknowledges; a name in the body counts only with authentication disabled. */
  const actor = (request: FastifyRequest, by: string | undefined) =>
    deps.security.mode === 'required' ? identityOf(request).username : (by ?? identityOf(request).username);

  app.get('/api/alerts', viewer, async (request, reply) => {
    const query = alertsQuerySchema.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, query.error);
    const { status, patientId, teamId, ...filter } = query.data;
    const byCare = patientId !== undefined || teamId !== undefined;
    const forCaller = redactionFor(request);
    if (!byCare && filter.pumpId === undefined && filter.from === undefined && filter.to === undefined) {
      return (await deps.ward.listAlerts(status)).map(forCaller);
    }
    const careFilter = { ...filter, ...(patientId ? { patientId } : {}), ...(teamId ? { teamId } : {}) };
    // Resolved alerts live only in the store: filtered there by pump and time, or one pump's could fall
    // outside the cap; by patient or team among the newest LIST_LIMIT that match the rest.
    if (status === 'resolved' || status === 'all') {
      const stored = await deps.store.list(status, LIST_LIMIT, filter);
      return (byCare ? stored.filter((alert) => matches(alert, careFilter)) : stored).map(forCaller);
    }
    return (await deps.ward.listAlerts(status)).filter((alert) => matches(alert, careFilter)).map(forCaller);
  });

  app.get('/api/alerts/:alertId/events', viewer, async (request, reply) => {
    const params = alertParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const events = await deps.store.events(params.data.alertId);
    if (events.length === 0)
      return sendError(reply, 404, 'ALERT_NOT_FOUND', `no alert ${params.data.alertId}`);
    const forCaller = redactionFor(request);
    return events.map((event) => ({ ...event, alert: forCaller(event.alert) }));
  });

  app.post('/api/alerts/:alertId/ack', nurse, async (request, reply) => {
    const params = alertParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = ackBodySchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const by = actor(request, body.data.by);
    return orNotFound(reply, async () => {
      const alert = await deps.ward.acknowledge(params.data.alertId, by);
      await deps.audit.record(by, 'alert_acknowledged', alert.id, null, {
        status: alert.status,
        rule: alert.rule,
        pumpId: alert.pumpId,
      });
      return alert;
    });
  });

  // Audio pause: bounded by the schema (2 min default, 15 min at most); escalation carries on.
  app.post('/api/alerts/:alertId/snooze', nurse, async (request, reply) => {
    const params = alertParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = snoozeBodySchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const by = actor(request, body.data.by);
    return orNotFound(reply, async () => {
      const alert = await deps.ward.snooze(params.data.alertId, by, body.data.durationMs);
      await deps.audit.record(by, 'alert_snoozed', alert.id, null, { snoozedUntil: alert.snoozedUntil });
      return alert;
    });
  });
}

async function orNotFound<T>(reply: FastifyReply, action: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof PumpwatchError && error.code === 'ALERT_NOT_FOUND') {
      return sendError(reply, 404, error.code, error.message);
    }
    throw error;
  }
}
