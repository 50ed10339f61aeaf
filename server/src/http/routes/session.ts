import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AuditLog } from '../../auth/audit-log.js';
import type { SecurityStore } from '../../auth/ports.js';
import type { TokenService } from '../../auth/token-service.js';
import type { UserService } from '../../auth/user-service.js';
import { sendError, sendValidationError } from '../errors.js';
import { identityOf } from '../security.js';

const loginBodySchema = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(200),
});

export interface SessionDeps {
  users: UserService;
  tokens: TokenService;
  audit: AuditLog;
  store: SecurityStore;
  loginRateLimit: { max: number; windowMs: number };
}

/** `POST /api/login` (rate limited), `POST /api/logout`, `GET /api/me`. */
export async function registerSessionRoutes(app: FastifyInstance, deps: SessionDeps): Promise<void> {
  await app.register(rateLimit, { global: false });

  app.post(
    '/api/login',
    {
      config: {
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
      const identity = await deps.users.authenticate(body.data.username, body.data.password);
      if (!identity) {
        await deps.audit.record(body.data.username, 'login_failed', null, null, { ip: request.ip });
        return sendError(reply, 401, 'INVALID_CREDENTIALS', 'wrong username or password');
      }
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

  app.post('/api/logout', async (request) => {
    const identity = identityOf(request);
    if (identity.jti && identity.expiresAt) {
      deps.tokens.markRevoked(identity.jti);
      await deps.store.revokeToken(identity.jti, identity.expiresAt);
      await deps.audit.record(identity.username, 'logout', null);
    }
    return { ok: true };
  });

  app.get('/api/me', async (request) => {
    const { username, role } = identityOf(request);
    return { username, role };
  });
}
