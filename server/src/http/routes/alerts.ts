import { ackBodySchema, alertsQuerySchema, snoozeBodySchema } from '@pumpwatch/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AlertService } from '../../alerts/alert-service.js';
import { PumpwatchError } from '../../errors.js';
import type { AlertStore } from '../../store/ports.js';
import { sendError, sendValidationError } from '../errors.js';

const alertParams = z.object({ alertId: z.string().min(1).max(128) });

export function registerAlertRoutes(
  app: FastifyInstance,
  deps: { alerts: AlertService; store: AlertStore },
): void {
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

  app.post('/api/alerts/:alertId/ack', async (request, reply) => {
    const params = alertParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = ackBodySchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return orNotFound(reply, () => deps.alerts.acknowledge(params.data.alertId, body.data.by));
  });

  // Audio pause: bounded by the schema (2 min default, 15 min at most); escalation carries on.
  app.post('/api/alerts/:alertId/snooze', async (request, reply) => {
    const params = alertParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = snoozeBodySchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    return orNotFound(reply, () =>
      deps.alerts.snooze(params.data.alertId, body.data.by, body.data.durationMs),
    );
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
