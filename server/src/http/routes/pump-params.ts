import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../../auth/audit-log.js';
import { PumpwatchError } from '../../errors.js';
import type { StoredPumpParams } from '../../store/ports.js';
import type { WardShell } from '../../ward/ward-shell.js';
import { sendError, sendValidationError } from '../errors.js';
import { pumpIdParams } from '../route-params.js';
import { allow, identityOf } from '../security.js';

/** The shape is checked by the engine's own schema when resolved (unknown keys refused, with paths). */
export const overridesSchema = z.record(z.string(), z.unknown());

/**
 * `GET|PUT|DELETE /api/pumps/{pumpId}/params`: a pump's rule settings. A clinician can tighten or loosen
 * a threshold for one patient (a battery warning earlier, a lower occlusion fraction) without a restart.
 * They apply on top of the config file's global and per-pump overrides, are stored (so a restart keeps
 * them) and audited with before and after.
 */
export function registerPumpParamsRoutes(
  app: FastifyInstance,
  deps: { ward: WardShell; now: () => number; audit: AuditLog },
): void {
  const viewer = allow('viewer');
  const admin = allow('admin');
  const answerFor = (pumpId: string) => {
    const { setting, effective } = deps.ward.pumpParams(pumpId);
    return {
      pumpId,
      overrides: setting?.overrides ?? null,
      updatedAt: setting?.updatedAt ?? null,
      updatedBy: setting?.updatedBy ?? null,
      effective,
    };
  };

  app.get('/api/pumps/:pumpId/params', viewer, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    return answerFor(params.data.pumpId);
  });

  app.put('/api/pumps/:pumpId/params', admin, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = overridesSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const { pumpId } = params.data;
    try {
      deps.ward.checkPumpParams(pumpId, body.data);
    } catch (error) {
      return sendParamsInvalid(reply, error);
    }
    const by = identityOf(request).username;
    const before = deps.ward.pumpParams(pumpId).setting;
    const setting: StoredPumpParams = { pumpId, overrides: body.data, updatedAt: deps.now(), updatedBy: by };
    await deps.ward.setPumpParams(setting);
    await deps.audit.record(by, 'params_set', pumpId, before, setting);
    return answerFor(pumpId);
  });

  app.delete('/api/pumps/:pumpId/params', admin, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const { pumpId } = params.data;
    const before = deps.ward.pumpParams(pumpId).setting;
    if (!(await deps.ward.deletePumpParams(pumpId))) {
      return sendError(reply, 404, 'PARAMS_NOT_FOUND', `no rule settings for pump ${pumpId}`);
    }
    await deps.audit.record(identityOf(request).username, 'params_deleted', pumpId, before, null);
    return reply.code(204).send();
  });
}

function sendParamsInvalid(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof PumpwatchError) || error.code !== 'CONFIG_INVALID') throw error;
  const issues = error.details as Array<{ path: string; message: string }>;
  return sendError(reply, 400, 'PARAMS_INVALID', 'rule settings do not match the engine parameters', issues);
}
