import type { ApiError } from '@pumpwatch/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodError } from 'zod';
import type { ApiErrorCode } from '../errors.js';

/** Rejected requests per error code, per app instance: bad input is counted (`GET /api/health` → `http`). */
const rejectedByApp = new WeakMap<FastifyInstance, Map<string, number>>();

function count(reply: FastifyReply, code: string): void {
  let counts = rejectedByApp.get(reply.server);
  if (!counts) {
    counts = new Map();
    rejectedByApp.set(reply.server, counts);
  }
  counts.set(code, (counts.get(code) ?? 0) + 1);
}

export function rejectedRequests(app: FastifyInstance): Record<string, number> {
  return Object.fromEntries(rejectedByApp.get(app) ?? []);
}

export function sendError(
  reply: FastifyReply,
  status: number,
  code: ApiErrorCode,
  message: string,
  issues?: Array<{ path: string; message: string }>,
): FastifyReply {
  count(reply, code);
  const body: ApiError = { error: { code, message, ...(issues ? { issues } : {}) } };
  return reply.code(status).send(body);
}

/** 400 with every zod issue and its path; clients match on `VALIDATION_FAILED`. */
export function sendValidationError(reply: FastifyReply, error: ZodError): FastifyReply {
  count(reply, 'VALIDATION_FAILED');
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const body: ApiError = {
    error: { code: 'VALIDATION_FAILED', message: 'request does not match the schema', issues },
  };
  return reply.code(400).send(body);
}
