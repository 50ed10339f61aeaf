import { idSchema } from '@pumpwatch/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../../auth/audit-log.js';
import type { SecurityStore } from '../../auth/ports.js';
import type { WardShell } from '../../ward/ward-shell.js';
import { sendError, sendValidationError } from '../errors.js';
import { pumpIdParams } from '../route-params.js';
import { identityOf, type Security } from '../security.js';

export const pumpHubBodySchema = z.object({ hubId: idSchema }).strict();

/**
 * `PUT /api/pumps/{pumpId}/hub` `{"hubId"}`: moves a pump to another hub. A pump is bound to the hub
 * that first reported it, and samples for it from any other hub are refused (`pump_not_owned`, issue
 * #11), so a pump carried to another home is moved here, by an admin, audited (`pump_moved`).
 */
export function registerPumpOwnerRoutes(
  app: FastifyInstance,
  deps: { ward: WardShell; security: Security; audit: AuditLog; store: SecurityStore },
): void {
  app.put(
    '/api/pumps/:pumpId/hub',
    // Both: the declared access of the route and the older per-route preHandler.
    { config: { access: 'admin' }, preHandler: deps.security.require('admin') },
    async (request, reply) => {
      const params = pumpIdParams.safeParse(request.params);
      if (!params.success) return sendValidationError(reply, params.error);
      const body = pumpHubBodySchema.safeParse(request.body ?? {});
      if (!body.success) return sendValidationError(reply, body.error);
      const { pumpId } = params.data;
      const { hubId } = body.data;
      const view = deps.ward.view(pumpId);
      if (!view) return sendError(reply, 404, 'PUMP_NOT_FOUND', `no pump ${pumpId}`);
      // With authentication on, only a registered hub can publish: a typo would orphan the pump.
      if (deps.security.mode === 'required' && !(await deps.store.getHub(hubId)))
        return sendError(reply, 404, 'HUB_NOT_FOUND', `no registered hub ${hubId}`);
      if (view.hubId !== hubId) {
        const from = deps.ward.movePump(pumpId, hubId);
        await deps.audit.record(
          identityOf(request).username,
          'pump_moved',
          pumpId,
          { hubId: from },
          { hubId },
        );
      }
      return deps.ward.view(pumpId);
    },
  );
}
