import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { ContactStore } from './contacts/ports.js';

/** What a verified ack token proves: this user may acknowledge this one alert, until `expiresAt`. */
export interface AckClaim {
  username: string;
  alertId: string;
  /** Epoch ms, to the millisecond: a token issued before its account was (re)created is refused. */
  issuedAt: number;
  expiresAt: number;
}

/** 30 min: longer than a page's escalation to the next step, short enough that a lost phone's page dies. */
export const DEFAULT_ACK_TOKEN_TTL_MS = 30 * 60_000;

/** The JWT audience: a session token (auth/token-service.ts, no audience) is never taken for one. */
const AUDIENCE = 'pumpwatch:alert-ack';
const SECRET_NAME = 'ack-token-key';

/**
 * Short-lived tokens that a page carries so the nurse can acknowledge from the lock screen without
 * logging in (docs/paging.md#ack-token, docs/security.md). Each is good ONLY for acknowledging one alert
 * as one user: it names both and the route checks both. HS256 with a key of its own, kept in the
 * contact store so tokens in pages already sent survive a restart; never the session key.
 */
export class AckTokens {
  private constructor(
    private readonly key: Uint8Array,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Reads the key from the store, creating it at first start. */
  static async open(
    store: Pick<ContactStore, 'secret' | 'putSecret'>,
    now: () => number,
    ttlMs = DEFAULT_ACK_TOKEN_TTL_MS,
  ): Promise<AckTokens> {
    let secret = await store.secret(SECRET_NAME);
    if (!secret) {
      secret = randomBytes(32).toString('base64url');
      await store.putSecret(SECRET_NAME, secret);
    }
    return new AckTokens(Buffer.from(secret, 'base64url'), ttlMs, now);
  }

  async issue(username: string, alertId: string): Promise<{ token: string; expiresAt: number }> {
    const expiresAt = Math.floor((this.now() + this.ttlMs) / 1000) * 1000;
    const token = await new SignJWT({ alert: alertId })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(username)
      .setAudience(AUDIENCE)
      .setIssuedAt(this.now() / 1000)
      .setExpirationTime(expiresAt / 1000)
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The claim, or null when forged, expired, malformed or for another alert than `alertId`. */
  async verify(token: string, alertId: string): Promise<AckClaim | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        audience: AUDIENCE,
        currentDate: new Date(this.now()),
      });
      if (
        typeof payload.sub !== 'string' ||
        payload.alert !== alertId ||
        !payload.exp ||
        payload.iat === undefined
      )
        return null;
      return {
        username: payload.sub,
        alertId,
        issuedAt: Math.round(payload.iat * 1000),
        expiresAt: payload.exp * 1000,
      };
    } catch {
      return null;
    }
  }
}
