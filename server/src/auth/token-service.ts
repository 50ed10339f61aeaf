import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { type Identity, roleSchema } from './roles.js';

export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/**
 * Signed bearer tokens (HS256 JWT via jose) with an expiry. Logout revokes a token's id until it would
 * have expired anyway, so a stolen token stops working when its owner logs out.
 */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly revoked = new Set<string>();
  /** Tokens already verified, so each API call does not redo the HMAC (bounded; expiry still checked). */
  private readonly verified = new Map<string, Identity & { jti: string; expiresAt: number }>();

  constructor(
    secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(identity: Identity): Promise<IssuedToken> {
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresAt = issuedAt * 1000 + this.ttlMs;
    const token = await new SignJWT({ role: identity.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(identity.username)
      .setJti(randomUUID())
      .setIssuedAt(issuedAt)
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The identity a token proves, or null when it is forged, expired, malformed or revoked. */
  async verify(token: string): Promise<(Identity & { jti: string; expiresAt: number }) | null> {
    const cached = this.verified.get(token);
    if (cached) {
      if (cached.expiresAt > this.now() && !this.revoked.has(cached.jti)) return cached;
      this.verified.delete(token);
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
      });
      const role = roleSchema.safeParse(payload.role);
      if (!payload.sub || !payload.jti || !payload.exp || !role.success) return null;
      if (this.revoked.has(payload.jti)) return null;
      const identity = {
        username: payload.sub,
        role: role.data,
        jti: payload.jti,
        expiresAt: payload.exp * 1000,
      };
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(token, identity);
      return identity;
    } catch {
      return null;
    }
  }

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  markRevoked(jti: string): void {
    this.revoked.add(jti);
  }
}
