import { type PumpView, type SamplesResponse, samplesQuerySchema } from '@pumpwatch/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasRole } from '../../auth/roles.js';
import { redactPumpView } from '../../care/redact.js';
import type { SampleStore } from '../../store/ports.js';
import type { WardShell } from '../../ward/ward-shell.js';
import { sendError, sendValidationError } from '../errors.js';
import { pumpIdParams } from '../route-params.js';
import { allow, identityOf } from '../security.js';

/** Most samples, or buckets, in one response (docs/api.md). */
const MAX_ITEMS = 10_000;

export function registerPumpRoutes(
  app: FastifyInstance,
  deps: { ward: WardShell; samples: SampleStore },
): void {
  const viewer = allow('viewer');
  /** Viewers get patients by initials (docs/security.md); nurses and above see names. */
  const forCaller = (request: FastifyRequest) =>
    hasRole(identityOf(request).role, 'nurse') ? (view: PumpView) => view : redactPumpView;
  app.get('/api/pumps', viewer, async (request) => deps.ward.views().map(forCaller(request)));

  app.get('/api/pumps/:pumpId', viewer, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const view = deps.ward.view(params.data.pumpId);
    if (!view) return sendError(reply, 404, 'PUMP_NOT_FOUND', `no pump ${params.data.pumpId}`);
    return forCaller(request)(view);
  });

  app.get('/api/pumps/:pumpId/samples', viewer, async (request, reply) => {
    const params = pumpIdParams.safeParse(request.params);
    if (!params.success) return sendValidationError(reply, params.error);
    const query = samplesQuerySchema.safeParse(request.query);
    if (!query.success) return sendValidationError(reply, query.error);
    const { pumpId } = params.data;
    if (!deps.ward.view(pumpId)) return sendError(reply, 404, 'PUMP_NOT_FOUND', `no pump ${pumpId}`);
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
