import { orderSchema, type StoredOrder } from '@pumpwatch/protocol';
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../auth/audit-log.js';
import type { CareService } from '../../care/care-service.js';
import type { WardShell } from '../../ward/ward-shell.js';
import { sendError, sendValidationError } from '../errors.js';
import { pumpIdParams } from '../route-params.js';
import { allow, identityOf } from '../security.js';

/**
 * `GET|PUT|DELETE /api/pumps/{pumpId}/order`: the prescribed order the order_mismatch rule checks the
 * pump's programming against. An order may be set before the pump has ever reported. On a pump assigned
 * to a therapy this is the shortcut for that therapy's order (docs/care.md): PUT changes the therapy.
 */
export function registerOrderRoutes(
  app: FastifyInstance,
  deps: { ward: WardShell; care: CareService; now: () => number; audit: AuditLog },
): void {
  const viewer = allow('viewer');
  const admin = allow('admin');

  app.get('/api/pumps/:pumpId/order', viewer, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const order = deps.ward.order(params.data.pumpId);
    if (!order) return sendError(reply, 404, 'ORDER_NOT_FOUND', `no order for pump ${params.data.pumpId}`);
    return order;
  });

  app.put('/api/pumps/:pumpId/order', admin, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = orderSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const by = identityOf(request).username;
    const before = deps.ward.order(params.data.pumpId);
    const assigned = deps.care.directory.currentAssignment(params.data.pumpId);
    if (assigned) {
      await deps.care.setTherapyOrder(assigned.therapyId, body.data, by);
      return deps.ward.order(params.data.pumpId);
    }
    const order: StoredOrder = {
      ...body.data,
      pumpId: params.data.pumpId,
      updatedAt: deps.now(),
      updatedBy: by,
    };
    await deps.ward.setOrder(order);
    await deps.audit.record(by, 'order_set', order.pumpId, before, order);
    return order;
  });

  app.delete('/api/pumps/:pumpId/order', admin, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const before = deps.ward.order(params.data.pumpId);
    const assigned = deps.care.directory.currentAssignment(params.data.pumpId);
    if (assigned)
      return sendError(
        reply,
        409,
        'ORDER_IS_THERAPY',
        `pump ${params.data.pumpId} runs therapy ${assigned.therapyId}: change the therapy or end the assignment`,
      );
    if (!(await deps.ward.deleteOrder(params.data.pumpId)))
      return sendError(reply, 404, 'ORDER_NOT_FOUND', `no order for pump ${params.data.pumpId}`);
    await deps.audit.record(identityOf(request).username, 'order_deleted', params.data.pumpId, before, null);
    return reply.code(204).send();
  });
}
