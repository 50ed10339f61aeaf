import { ackBodySchema, alertsQuerySchema, snoozeBodySchema } from '@pumpwatch/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AlertService } from '../../alerts/alert-service.js';
import type { AuditLog } from '../../auth/audit-log.js';
import { PumpwatchError } from '../../errors.js';
import type { AlertStore } from '../../store/ports.js';
import { sendError, sendValidationError } from '../errors.js';
import { identityOf, type Security } from '../security.js';

const alertParams = z.object({ alertId: z.string().min(1).max(128) });

export function registerAlertRoutes(
  app: FastifyInstance,
  deps: { alerts: AlertService; store: AlertStore; security: Security; audit: AuditLog },
): void {
  const nurse = { preHandler: deps.security.require('nurse') };
  /** The logged-in user acknowledges; a name in the body counts only with authentication disabled. */
  const actor = (request: FastifyRequest, by: string | undefined) =>
    deps.security.mode === 'required' ? identityOf(request).username : (by ?? identityOf(request).username);

  app.get('/api/alerts', async (request, reply) => {
    const query = alertsQuerySchema.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, query.error);
    return deps.alerts.list(query.data.status);
  });

  app.get('/api/alerts/:alertId/events', async (request, reply) => {
    const params = alertParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const events = await deps.store.events(params.data.alertId);
    if (events.length === 0)
      return sendError(reply, 404, 'ALERT_NOT_FOUND', `no alert ${params.data.alertId}`);
    return events;
  });

  app.post('/api/alerts/:alertId/ack', nurse, async (request, reply) => {
    const params = alertParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = ackBodySchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const by = actor(request, body.data.by);
    return orNotFound(reply, async () => {
      const alert = await deps.alerts.acknowledge(params.data.alertId, by);
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
      const alert = await deps.alerts.snooze(params.data.alertId, by, body.data.durationMs);
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
