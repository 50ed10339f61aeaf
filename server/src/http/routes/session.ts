import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../../auth/audit-log.js';
import { HttpLoginBackoff } from '../../auth/login-backoff.js';
import type { SecurityStore } from '../../auth/ports.js';
import type { TokenService } from '../../auth/token-service.js';
import type { UserService } from '../../auth/user-service.js';
import { sendError, sendValidationError } from '../errors.js';
import { allow, identityOf } from '../security.js';

export const loginBodySchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

export interface SessionDeps {
  users: UserService;
  tokens: TokenService;
  audit: AuditLog;
  store: SecurityStore;
  loginRateLimit: { max: number; windowMs: number };
  now: () => number;
}

/** `POST /api/login` (rate limited), `POST /api/logout`, `GET /api/me`. */
export async function registerSessionRoutes(app: FastifyInstance, deps: SessionDeps): Promise<void> {
  await app.register(rateLimit, { global: false });
  // Per address and per username; the username's wait spares the addresses its user signs in from.
  const backoff = new HttpLoginBackoff(deps.now);

  app.post(
    '/api/login',
    {
      config: {
        access: 'public',
        rateLimit: {
          max: deps.loginRateLimit.max,
          timeWindow: deps.loginRateLimit.windowMs,
          // Thrown to the app's error handler, which answers RATE_LIMITED with this message.
          errorResponseBuilder: (_request, context) => ({
            statusCode: 429,
            message: `too many login attempts; retry in ${Math.ceil(context.ttl / 1000)} s`,
          }),
        },
      },
    },
    async (request, reply) => {
      const body = loginBodySchema.safeParse(request.body ?? {});
      if (!body.success) return sendValidationError(reply, body.error);
      // The client's address: the socket's, or with `http.trustProxy` the one the trusted proxy reports.
      const address = request.ip;
      const { username } = body.data;
      const waitMs = backoff.retryAfterMs(address, username);
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        reply.header('retry-after', String(seconds));
        return sendError(reply, 429, 'LOGIN_BACKOFF', `too many failed logins; retry in ${seconds} s`);
      }
      const identity = await deps.users.authenticate(username, body.data.password);
      if (!identity) {
        backoff.failed(address, username);
        await deps.audit.record(username, 'login_failed', null, null, { ip: request.ip });
        return sendError(reply, 401, 'INVALID_CREDENTIALS', 'wrong username or password');
      }
      backoff.succeeded(address, username);
      const issued = await deps.tokens.issue(identity);
      await deps.audit.record(identity.username, 'login', null, null, {
        ip: request.ip,
        role: identity.role,
      });
      return {
        token: issued.token,
        expiresAt: issued.expiresAt,
        username: identity.username,
        role: identity.role,
      };
    },
  );

  app.post('/api/logout', allow('viewer'), async (request) => {
    const identity = identityOf(request);
    if (identity.jti && identity.expiresAt) {
      deps.tokens.markRevoked(identity.jti);
      await deps.store.revokeToken(identity.jti, identity.expiresAt);
      await deps.audit.record(identity.username, 'logout', null);
    }
    return { ok: true };
  });

  app.get('/api/me', allow('viewer'), async (request) => {
    const { username, role } = identityOf(request);
    return { username, role };
  });
}
