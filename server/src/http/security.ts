import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { hasRole, type Identity, type Role } from '../auth/roles.js';
import type { TokenService } from '../auth/token-service.js';
import type { UserService } from '../auth/user-service.js';
import { PumpwatchError } from '../errors.js';
import { sendError } from './errors.js';

/** Who may call a route: anyone (`public`), or a signed-in user with at least this role. */
export type Access = 'public' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Every route declares its access in its config (`{ config: { access: 'viewer' } }`). It is read
     * from the route the router matched, after the path was decoded, so no spelling of a URL can reach
     * a route under another route's rules; a route that declares nothing is refused to everyone.
     */
    access?: Access;
  }
}

export type SessionIdentity = Identity & { jti?: string; expiresAt?: number };

/** Each app's routes with their declared access, for `declaredRoutes`. */
const routeTables = new WeakMap<FastifyInstance, DeclaredRoute[]>();

export interface DeclaredRoute {
  method: string;
  url: string;
  access: Access | undefined;
}

/** Every route of an app built by `buildApp` and the access it declares (read when asked). */
export function declaredRoutes(app: FastifyInstance): readonly DeclaredRoute[] {
  return routeTables.get(app) ?? [];
}

/** Who is calling: set by the access hook for every request to a route that is not public. */
const identities = new WeakMap<FastifyRequest, SessionIdentity>();

/**
 * With `auth.mode: disabled` (development on loopback only: config.ts refuses anything else) every
 * caller acts as this admin. With authentication on, no request ever gets it: a caller without a
 * verified token is refused before the route runs.
 */
const DEVELOPMENT_IDENTITY: SessionIdentity = { username: 'anonymous', role: 'admin' };

/** The caller of a non-public route. Throws if there is none: a handler must never guess one. */
export function identityOf(request: FastifyRequest): SessionIdentity {
  const identity = identities.get(request);
  if (!identity) throw new PumpwatchError('UNAUTHENTICATED', 'no verified caller for this request');
  return identity;
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

export interface Security {
  mode: 'required' | 'disabled';
  /** A preHandler that answers 403 unless the caller has at least `role` (the route's access does too). */
  require(role: Role): preHandlerAsyncHookHandler;
  /** The identity a bearer token proves, checked against the user as stored now; null when none. */
  verify(token: string): Promise<SessionIdentity | null>;
}

/**
 * Authorisation on the matched route: every route declares `config.access`; before it runs the caller
 * is authenticated (401 `UNAUTHENTICATED`) and its role checked (403 `FORBIDDEN`). A route without a
 * declaration answers 403 `ACCESS_UNDECLARED` to everyone. Requests that match no route get the 404
 * handler, which shows nothing.
 */
export function registerSecurity(
  app: FastifyInstance,
  mode: 'required' | 'disabled',
  tokens: TokenService,
  users: UserService,
): Security {
  const routes: DeclaredRoute[] = [];
  routeTables.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // Read lazily: hooks of inner scopes (the dashboard's) set `access` after this one has run.
    for (const method of methods)
      routes.push({
        method,
        url: route.url,
        get access() {
          return route.config?.access;
        },
      });
  });

  async function verify(token: string): Promise<SessionIdentity | null> {
    const claimed = await tokens.verify(token);
    if (!claimed) return null;
    const current = await users.currentIdentity(claimed.username);
    if (!current) return null;
    return { ...claimed, role: current.role };
  }

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.is404) return;
    const access = request.routeOptions.config.access;
    if (access === undefined) {
      request.log.error({ route: request.routeOptions.url }, 'route declares no access: refused');
      return sendError(reply, 403, 'ACCESS_UNDECLARED', 'this route is not open to anyone');
    }
    if (access === 'public') return;
    let identity: SessionIdentity | null = DEVELOPMENT_IDENTITY;
    if (mode === 'required') {
      const token = bearerToken(request.headers.authorization);
      identity = token ? await verify(token) : null;
      if (!identity) {
        return sendError(
          reply,
          401,
          'UNAUTHENTICATED',
          token ? 'the token is invalid or expired' : 'log in first (Authorization: Bearer <token>)',
        );
      }
    }
    if (!hasRole(identity.role, access)) {
      return sendError(reply, 403, 'FORBIDDEN', `${identity.role} may not do this; it needs ${access}`);
    }
    identities.set(request, identity);
  });

  return {
    mode,
    verify,
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

/** Route options that declare who may call it: `app.get(url, allow('viewer'), handler)`. */
export function allow(access: Access): { config: { access: Access } } {
  return { config: { access } };
}
