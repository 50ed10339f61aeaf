import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Calendar feed tokens (docs/security.md#calendar-feed-tokens). A phone's calendar cannot send a
 * bearer header, so the feed URL carries a token of its own: 256 random bits, good for reading that
 * one person's shifts and nothing else. Only its SHA-256 is stored: the token has the full entropy of
 * its random bytes, so a slow password hash would add nothing, and a store read does not give the URL.
 */
const PREFIX = 'pwcal_';

export function newFeedToken(): string {
  return `${PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function feedTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant time in the token's content: the comparison is of two fixed-length digests. */
export function feedTokenMatches(token: string, storedSha256: string | null): boolean {
  if (storedSha256 === null) return false;
  const given = Buffer.from(feedTokenHash(token), 'hex');
  const stored = Buffer.from(storedSha256, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}
