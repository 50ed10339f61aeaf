import { createHash, timingSafeEqual } from 'node:crypto';
import { bearerToken } from '../http/security.js';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Whether a scrape may read `/metrics`: with a token configured, only one that brings it as
 * `Authorization: Bearer <token>`. Compared as SHA-256 digests with `timingSafeEqual`, so neither the
 * content nor the length of the token leaks through the time the comparison takes.
 */
export function scrapeAllowed(token: string | undefined, authorization: string | undefined): boolean {
  if (token === undefined) return true;
  const given = bearerToken(authorization);
  return given !== null && timingSafeEqual(digest(given), digest(token));
}

export const SCRAPE_REFUSED_MESSAGE = 'GET /metrics needs Authorization: Bearer <metrics.token>';
