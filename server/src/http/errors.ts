import type { ApiError } from '@pumpwatch/protocol';
import type { FastifyReply } from 'fastify';
import type { ZodError } from 'zod';

export function sendError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const body: ApiError = { error: { code, message } };
  return reply.code(status).send(body);
}

/** 400 with every zod issue and its path; clients match on `VALIDATION_FAILED`. */
export function sendValidationError(reply: FastifyReply, error: ZodError): FastifyReply {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const body: ApiError = {
    error: { code: 'VALIDATION_FAILED', message: 'request does not match the schema', issues },
  };
  return reply.code(400).send(body);
}
