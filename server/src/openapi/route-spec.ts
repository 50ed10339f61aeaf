import type { z } from 'zod';
import type { ApiErrorCode } from '../errors.js';
import type { Access } from '../http/security.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ResponseSpec {
  description: string;
  /** The JSON body's schema; absent with `contentType` for a body that is not JSON, absent alone for none. */
  schema?: z.ZodType;
  /** A body that is not JSON (`text/calendar`, the Prometheus exposition, HTML). */
  contentType?: string;
}

/**
 * One HTTP route as the OpenAPI document (`GET /api/openapi.json`) describes it. Every schema here is
 * the zod schema the route itself parses with or the protocol schema of what it answers, so the document
 * cannot drift into a second, hand-written copy of the contract.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** Fastify's spelling (`/api/pumps/:pumpId`), as the router registers it. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  /** A public route that checks a proof of its own instead of a session: what the caller must send. */
  ownCredential?: string;
  /** Registered only with some configuration (docs/api.md says which). */
  onlyWhen?: string;
  /** Rate limited per client address (429 `RATE_LIMITED`). */
  rateLimited?: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Successful answers by status. */
  responses: Partial<Record<number, ResponseSpec>>;
  /** The route's own error codes by status; the ones every route of its kind can answer are added. */
  errors?: Partial<Record<number, readonly ApiErrorCode[]>>;
}

const FIRST_ROLE_ABOVE_VIEWER: readonly Access[] = ['nurse', 'coordinator', 'admin'];

/**
 * Error codes any route of this shape can answer besides its own: input that fails its schema, a body
 * the parser refuses, no or a bad session, too low a role, the rate limit, a server fault.
 */
export function commonErrors(route: RouteSpec): Partial<Record<number, ApiErrorCode[]>> {
  const errors: Partial<Record<number, ApiErrorCode[]>> = { 500: ['INTERNAL'] };
  const add = (status: number, ...codes: ApiErrorCode[]) => {
    errors[status] = [...(errors[status] ?? []), ...codes];
  };
  if (route.params || route.query || route.body) add(400, 'VALIDATION_FAILED');
  if (route.method !== 'GET') {
    add(400, 'INVALID_JSON', 'BAD_REQUEST');
    add(413, 'BODY_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE');
  }
  if (route.access !== 'public') add(401, 'UNAUTHENTICATED');
  if (FIRST_ROLE_ABOVE_VIEWER.includes(route.access)) add(403, 'FORBIDDEN');
  if (route.rateLimited) add(429, 'RATE_LIMITED');
  return errors;
}

/** Every error code of a route by status: its own and the common ones, each once. */
export function errorsOf(route: RouteSpec): Map<number, ApiErrorCode[]> {
  const merged = new Map<number, Set<ApiErrorCode>>();
  for (const source of [commonErrors(route), route.errors ?? {}])
    for (const [status, codes] of Object.entries(source)) {
      const set = merged.get(Number(status)) ?? new Set<ApiErrorCode>();
      for (const code of codes ?? []) set.add(code);
      merged.set(Number(status), set);
    }
  return new Map([...merged].sort(([a], [b]) => a - b).map(([status, codes]) => [status, [...codes]]));
}

/** `/api/pumps/:pumpId` → `/api/pumps/{pumpId}`; the dashboard's `/*` → `/{file}`. */
export function openApiPath(fastifyPath: string): string {
  return fastifyPath.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{file}');
}
