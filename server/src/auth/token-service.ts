import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { type Identity, roleSchema } from './roles.js';

export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** A verified token's claims: who, with what role, its id, and when it was issued and expires (ms). */
export type TokenIdentity = Identity & { jti: string; issuedAt: number; expiresAt: number };

/** The accounts tokens are issued for (user-service.ts): a token is good only for the account it was issued to. */
export interface TokenAccounts {
  /** Whether a token for `username` issued at `issuedAt` (ms) belongs to the account stored now. */
  acceptsSession(username: string, issuedAt: number): Promise<boolean>;
  /** The same from what this server last saw, without a store read; true when it knows nothing. */
  knownToAcceptSession(username: string, issuedAt: number): boolean;
}

/** Tokens remembered by id for `isRevoked` (oldest dropped past it). */
const MAX_TRACKED = 10_000;

/**
 * Signed bearer tokens (HS256 JWT via jose) with an expiry. Logout revokes a token's id until it would
 * have expired anyway, so a stolen token stops working when its owner logs out. A token is tied to the
 * account it was issued to, not just its name: one issued before the account was created or before its
 * password was last set is refused (`TokenAccounts`), so no token outlives a reset or comes back with a
 * re-created name.
 */
export class TokenService {
  private readonly key: Uint8Array;
  private readonly revoked = new Set<string>();
  /** Tokens already verified, so each API call does not redo the HMAC (bounded; expiry still checked). */
  private readonly verified = new Map<string, TokenIdentity>();
  /** Verified tokens by id, for the synchronous `isRevoked` an open WebSocket asks at each heartbeat. */
  private readonly byJti = new Map<string, TokenIdentity>();

  constructor(
    secret: string,
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly accounts: TokenAccounts,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(identity: Identity): Promise<IssuedToken> {
    const now = this.now();
    const expiresAt = Math.floor(now / 1000) * 1000 + this.ttlMs;
    const token = await new SignJWT({ role: identity.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(identity.username)
      .setJti(randomUUID())
      // To the millisecond (a JWT NumericDate may be fractional): an account created or a password set
      // in the same second as a login must still tell the tokens before it from the ones after.
      .setIssuedAt(now / 1000)
      .setExpirationTime(Math.floor(expiresAt / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The identity a token proves, or null when it is forged, expired, malformed, revoked or superseded. */
  async verify(token: string): Promise<TokenIdentity | null> {
    const identity = this.verified.get(token) ?? (await this.decode(token));
    if (!identity) return null;
    if (
      identity.expiresAt <= this.now() ||
      this.revoked.has(identity.jti) ||
      !(await this.accounts.acceptsSession(identity.username, identity.issuedAt))
    ) {
      this.verified.delete(token);
      return null;
    }
    return identity;
  }

  /** Revoked by logout, or (as far as this server has seen) issued before its account's last reset. */
  isRevoked(jti: string): boolean {
    if (this.revoked.has(jti)) return true;
    const identity = this.byJti.get(jti);
    return (
      identity !== undefined && !this.accounts.knownToAcceptSession(identity.username, identity.issuedAt)
    );
  }

  private async decode(token: string): Promise<TokenIdentity | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
      });
      const role = roleSchema.safeParse(payload.role);
      if (!payload.sub || !payload.jti || !payload.exp || payload.iat === undefined || !role.success)
        return null;
      const identity: TokenIdentity = {
        username: payload.sub,
        role: role.data,
        jti: payload.jti,
        issuedAt: Math.round(payload.iat * 1000),
        expiresAt: payload.exp * 1000,
      };
      remember(this.verified, token, identity);
      remember(this.byJti, identity.jti, identity);
      return identity;
    } catch {
      return null;
    }
  }

  markRevoked(jti: string): void {
    this.revoked.add(jti);
  }
}

/** Sets `key` as the newest entry and drops the oldest past the bound (Map keeps insertion order). */
function remember(table: Map<string, TokenIdentity>, key: string, identity: TokenIdentity): void {
  table.delete(key);
  table.set(key, identity);
  if (table.size <= MAX_TRACKED) return;
  const oldest = table.keys().next().value;
  if (oldest !== undefined) table.delete(oldest);
}
