import type { IncomingMessage } from 'node:http';
import { hasRole } from '../auth/roles.js';
import type { SecurityServices } from '../auth/security-services.js';
import { bearerToken } from '../http/security.js';
import type { WsGrant } from './ws-hub.js';

/**
 * Who may listen on `/ws`: the same tokens as the API, from the Authorization header or `?token=` (a
 * browser cannot set headers on a WebSocket). An accepted caller comes with a check run at every
 * heartbeat, so the socket of a session that ended (logout, expiry, user deleted) closes.
 */
export function websocketAuthorizer(
  security: SecurityServices,
  now: () => number,
): (request: IncomingMessage) => Promise<WsGrant | null> {
  if (security.mode !== 'required') return async () => ({ stillAuthorized: () => true });
  return async (request) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const token = bearerToken(request.headers.authorization) ?? url.searchParams.get('token');
    const identity = token === null ? null : await security.tokens.verify(token);
    const current = identity ? await security.users.currentIdentity(identity.username) : null;
    if (!identity || !current) return null;
    return {
      stillAuthorized: () =>
        identity.expiresAt > now() &&
        !security.tokens.isRevoked(identity.jti) &&
        !security.users.isGone(identity.username),
      // A viewer sees patients by initials (minimum necessary, docs/security.md).
      redacted: !hasRole(current.role, 'nurse'),
    };
  };
}
