import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { hasRole, type Identity, type Role } from '../auth/roles.js';
import type { TokenService } from '../auth/token-service.js';
import { sendError } from './errors.js';

/** Who is calling: set by the authentication hook for every `/api` request that needs one. */
const identities = new WeakMap<FastifyRequest, Identity & { jti?: string; expiresAt?: number }>();

/** With authentication disabled (development only) every caller acts as this admin. */
const ANONYMOUS: Identity = { username: 'anonymous', role: 'admin' };

/** Routes anyone may call: the health check shows no patient data, and logging in needs no token. */
const PUBLIC_ROUTES = new Set(['GET /api/health', 'POST /api/login']);

export function identityOf(request: FastifyRequest): Identity & { jti?: string; expiresAt?: number } {
  return identities.get(request) ?? ANONYMOUS;
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

export interface Security {
  mode: 'required' | 'disabled';
  /** A preHandler that answers 403 unless the caller has at least `role`. */
  require(role: Role): preHandlerAsyncHookHandler;
}

/**
 * Authentication for every `/api` route but the public ones: a bearer token from `POST /api/login`,
 * checked before the route runs (401 `UNAUTHENTICATED`); roles checked per route (403 `FORBIDDEN`).
 */
export function registerSecurity(
  app: FastifyInstance,
  mode: 'required' | 'disabled',
  tokens: TokenService,
): Security {
  if (mode === 'required') {
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0] ?? '';
      if (!path.startsWith('/api/') || PUBLIC_ROUTES.has(`${request.method} ${path}`)) return;
      const token = bearerToken(request.headers.authorization);
      const identity = token ? await tokens.verify(token) : null;
      if (!identity) {
        return sendError(
          reply,
          401,
          'UNAUTHENTICATED',
          token ? 'the token is invalid or expired' : 'log in first (Authorization: Bearer <token>)',
        );
      }
      identities.set(request, identity);
    });
  }
  return {
    mode,
    require(role: Role): preHandlerAsyncHookHandler {
      return async (request, reply) => {
        const identity = identityOf(request);
        if (!hasRole(identity.role, role)) {
          await sendError(reply, 403, 'FORBIDDEN', `${identity.role} may not do this; it needs ${role}`);
        }
      };
    },
  };
}
