import { idSchema, type SamplesResponse, samplesQuerySchema } from '@pumpwatch/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { PumpMonitor } from '../../monitor.js';
import type { SampleStore } from '../../store/ports.js';
import { sendError, sendValidationError } from '../errors.js';

const pumpParams = z.object({ pumpId: idSchema });
/** Most samples, or buckets, in one response (docs/api.md). */
const MAX_ITEMS = 10_000;

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
    const query = samplesQuerySchema.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, query.error);
    const { pumpId } = params.data;
    if (!deps.monitor.view(pumpId)) return sendError(reply, 404, 'PUMP_NOT_FOUND', `no pump ${pumpId}`);
    const { from, to, step, limit = MAX_ITEMS } = query.data;
    const range = { limit, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
    const head = { pumpId, from: from ?? null, to: to ?? null };
    if (step !== undefined) {
      // Long ranges for charts: min / max / mean per bucket instead of every sample (issue #5).
      const buckets = await deps.samples.buckets(pumpId, { ...range, step });
      const body: SamplesResponse = { ...head, step, count: buckets.length, samples: [], buckets };
      return body;
    }
    const samples = await deps.samples.query(pumpId, range);
    const body: SamplesResponse = { ...head, step: null, count: samples.length, samples };
    return body;
  });
}
