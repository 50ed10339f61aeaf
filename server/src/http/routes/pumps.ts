import { idSchema, samplesQuerySchema } from '@pumpwatch/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PumpMonitor } from '../../monitor.js';
import type { SampleStore } from '../../store/ports.js';
import { sendError, sendValidationError } from '../errors.js';

const pumpParams = z.object({ pumpId: idSchema });
const MAX_SAMPLES = 10_000;
const samplesQueryWithLimit = samplesQuerySchema.and(
  z.object({ limit: z.coerce.number().int().positive().max(MAX_SAMPLES).optional() }),
);

export function registerPumpRoutes(
  app: FastifyInstance,
  deps: { monitor: PumpMonitor; samples: SampleStore },
): void {
  app.get('/api/pumps', async () => deps.monitor.views());

  app.get('/api/pumps/:pumpId', async (request, reply) => {
    const params = pumpParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const view = deps.monitor.view(params.data.pumpId);
    if (!view) return sendError(reply, 404, 'PUMP_NOT_FOUND', `no pump ${params.data.pumpId}`);
    return view;
  });

  app.get('/api/pumps/:pumpId/samples', async (request, reply) => {
    const params = pumpParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const query = samplesQueryWithLimit.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, query.error);
    const { pumpId } = params.data;
    if (!deps.monitor.view(pumpId)) return sendError(reply, 404, 'PUMP_NOT_FOUND', `no pump ${pumpId}`);
    const { from, to, limit = MAX_SAMPLES } = query.data;
    const samples = await deps.samples.query(pumpId, {
      limit,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
    });
    return { pumpId, from: from ?? null, to: to ?? null, count: samples.length, samples };
  });
}
