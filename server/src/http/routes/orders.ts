import { idSchema, orderSchema, type StoredOrder } from '@pumpwatch/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AlertService } from '../../alerts/alert-service.js';
import type { AuditLog } from '../../auth/audit-log.js';
import type { PumpMonitor } from '../../monitor.js';
import type { OrderStore } from '../../store/ports.js';
import { sendError, sendValidationError } from '../errors.js';
import { identityOf, type Security } from '../security.js';

const pumpParams = z.object({ pumpId: idSchema });

/**
 * `GET|PUT|DELETE /api/pumps/{pumpId}/order`: the prescribed order the order_mismatch rule checks the
 * pump's programming against. An order may be set before the pump has ever reported.
 */
export function registerOrderRoutes(
  app: FastifyInstance,
  deps: {
    alerts: AlertService;
    orders: OrderStore;
    monitor: PumpMonitor;
    now: () => number;
    security: Security;
    audit: AuditLog;
  },
): void {
  const admin = { preHandler: deps.security.require('admin') };

  app.get('/api/pumps/:pumpId/order', async (request, reply) => {
    const params = pumpParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const order = deps.alerts.order(params.data.pumpId);
    if (!order) return sendError(reply, 404, 'ORDER_NOT_FOUND', `no order for pump ${params.data.pumpId}`);
    return order;
  });

  app.put('/api/pumps/:pumpId/order', admin, async (request, reply) => {
    const params = pumpParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const body = orderSchema.safeParse(request.body ?? {});
    if (!body.success) return sendValidationError(reply, body.error);
    const by = identityOf(request).username;
    const before = deps.alerts.order(params.data.pumpId);
    const order: StoredOrder = {
      ...body.data,
      pumpId: params.data.pumpId,
      updatedAt: deps.now(),
      updatedBy: by,
    };
    await deps.orders.put(order);
    await deps.audit.record(by, 'order_set', order.pumpId, before, order);
    deps.alerts.setOrder(order.pumpId, order);
    deps.monitor.markDirty(order.pumpId);
    return order;
  });

  app.delete('/api/pumps/:pumpId/order', admin, async (request, reply) => {
    const params = pumpParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const before = deps.alerts.order(params.data.pumpId);
    const removed = await deps.orders.delete(params.data.pumpId);
    if (removed)
      await deps.audit.record(
        identityOf(request).username,
        'order_deleted',
        params.data.pumpId,
        before,
        null,
      );
    if (!removed) return sendError(reply, 404, 'ORDER_NOT_FOUND', `no order for pump ${params.data.pumpId}`);
    deps.alerts.setOrder(params.data.pumpId, null);
    deps.monitor.markDirty(params.data.pumpId);
    return reply.code(204).send();
  });
}
