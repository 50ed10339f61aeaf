import { idSchema } from '@pumpwatch/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AlertService } from '../../alerts/alert-service.js';
import type { AuditLog } from '../../auth/audit-log.js';
import { PumpwatchError } from '../../errors.js';
import type { PumpParamsStore, StoredPumpParams } from '../../store/ports.js';
import { sendError, sendValidationError } from '../errors.js';
import { identityOf, type Security } from '../security.js';

const pumpParams = z.object({ pumpId: idSchema });
/** The shape is checked by the engine's own schema when resolved (unknown keys refused, with paths). */
const overridesSchema = z.record(z.string(), z.unknown());

/**
 * `GET|PUT|DELETE /api/pumps/{pumpId}/params`: a pump's rule settings. A clinician can tighten or loosen
 * a threshold for one patient (a battery warning earlier, a lower occlusion fraction) without a restart.
 * They apply on top of the config file's global and per-pump overrides, are stored (so a restart keeps
 * them) and audited with before and after.
 */
export function registerPumpParamsRoutes(
  app: FastifyInstance,
  deps: {
    alerts: AlertService;
    store: PumpParamsStore;
    now: () => number;
    security: Security;
    audit: AuditLog;
  },
): void {
  const admin = { preHandler: deps.security.require('admin') };
  const answerFor = (pumpId: string) => {
    const { setting, effective } = deps.alerts.pumpParams(pumpId);
    return {
      pumpId,
      overrides: setting?.overrides ?? null,
      updatedAt: setting?.updatedAt ?? null,
      updatedBy: setting?.updatedBy ?? null,
      effective,
    };
  };

  app.get('/api/pumps/:pumpId/params', async (request, reply) => {
    const params = pumpParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    return answerFor(params.data.pumpId);
  });

  app.put('/api/pumps/:pumpId/params', admin, async (request, reply) => {
    const params = pumpParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = overridesSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const { pumpId } = params.data;
    try {
      deps.alerts.checkPumpParams(pumpId, body.data);
    } catch (error) {
      return sendParamsInvalid(reply, error);
    }
    const by = identityOf(request).username;
    const before = deps.alerts.pumpParams(pumpId).setting;
    const setting: StoredPumpParams = { pumpId, overrides: body.data, updatedAt: deps.now(), updatedBy: by };
    await deps.store.put(setting);
    await deps.audit.record(by, 'params_set', pumpId, before, setting);
    deps.alerts.setPumpParams(pumpId, setting);
    return answerFor(pumpId);
  });

  app.delete('/api/pumps/:pumpId/params', admin, async (request, reply) => {
    const params = pumpParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const { pumpId } = params.data;
    const before = deps.alerts.pumpParams(pumpId).setting;
    if (!(await deps.store.delete(pumpId))) {
      return sendError(reply, 404, 'PARAMS_NOT_FOUND', `no rule settings for pump ${pumpId}`);
    }
    await deps.audit.record(identityOf(request).username, 'params_deleted', pumpId, before, null);
    deps.alerts.setPumpParams(pumpId, null);
    return reply.code(204).send();
  });
}

function sendParamsInvalid(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof PumpwatchError) || error.code !== 'CONFIG_INVALID') throw error;
  const issues = error.details as Array<{ path: string; message: string }>;
  return sendError(reply, 400, 'PARAMS_INVALID', 'rule settings do not match the engine parameters', issues);
}
