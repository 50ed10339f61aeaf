export interface BackoffPolicy {
  /** Failures allowed before the first wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key not failed for this long starts afresh. */
  forgetAfterMs: number;
}

interface Failures {
  count: number;
  lastAt: number;
  blockedUntil: number;
}

/** Per address: failures counted by the username they were for, so a success clears only its own. */
interface AddressFailures {
  byUsername: Map<string, number>;
  /** Failures of usernames dropped from `byUsername` to bound it: no success ever clears these. */
  others: number;
  lastAt: number;
  blockedUntil: number;
}

/** Keys kept at most per table; past it the oldest are dropped, so a spray of names cannot fill memory. */
const MAX_KEYS = 10_000;
/** Usernames tracked one by one per address; a spray of more from one address still counts in full. */
const MAX_USERNAMES_PER_ADDRESS = 64;
/** Addresses a user last signed in from, remembered per user (a phone, a ward PC, a laptop, …). */
const KNOWN_ADDRESSES_PER_USER = 8;
/** How long a successful login keeps its address known to the user. */
const KNOWN_ADDRESS_MAX_AGE_MS = 30 * 24 * 60 * 60_000;

function waitAfter(policy: BackoffPolicy, failures: number): number {
  const over = failures - policy.freeFailures;
  if (over <= 0) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(over - 1, 30));
}

/** Sets `key` as the newest entry of `table` and drops the oldest past `max` (Map keeps insertion order). */
function touch<K, V>(table: Map<K, V>, key: K, value: V, max: number): void {
  table.delete(key);
  table.set(key, value);
  if (table.size <= max) return;
  const oldest = table.keys().next().value;
  if (oldest !== undefined) table.delete(oldest);
}

/** Exponential back-off of failed logins per key; failures are forgotten by time only. */
export class LoginBackoff {
  private readonly failures = new Map<string, Failures>();

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly now: () => number,
  ) {}

  /** Milliseconds until `key` may try again; 0 when it may now. */
  retryAfterMs(key: string): number {
    const entry = this.live(key);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  fail(key: string): void {
    const now = this.now();
    const entry = this.live(key) ?? { count: 0, lastAt: now, blockedUntil: 0 };
    entry.count += 1;
    entry.lastAt = now;
    const wait = waitAfter(this.policy, entry.count);
    if (wait > 0) entry.blockedUntil = now + wait;
    touch(this.failures, key, entry, MAX_KEYS);
  }

  private live(key: string): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && this.now() - entry.lastAt > this.policy.forgetAfterMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }
}

/**
 * HTTP logins. Per address: a guesser is slowed to one try per 15 minutes. Per username the wait stays
 * short (at most 30 s): anyone can type a nurse's name.
 */
export const HTTP_LOGIN_BACKOFF = {
  address: { freeFailures: 10, baseDelayMs: 1_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 60 * 60_000 },
  username: { freeFailures: 5, baseDelayMs: 1_000, maxDelayMs: 30_000, forgetAfterMs: 15 * 60_000 },
} as const satisfies Record<string, BackoffPolicy>;

/**
 * Back-off of failed HTTP logins, decided before any password is hashed, by the rules of the MQTT
 * throttle (broker/login-throttle.ts, docs/decisions/0006):
 *
 * - Per client address, every username's failures count. A success clears only the failures that
 *   address made for the username that succeeded: someone with an account of their own must not be able
 *   to sign in between guesses at other people's passwords and so never reach the address's wait.
 * - Per username, failures from any address count, but the wait applies only to addresses that user
 *   has not signed in from recently. A plain per-username lock would let anyone who knows a nurse's name
 *   keep her from signing in on her usual device, a denial of service as good as the guessing.
 *
 * Everything is in memory and bounded: a restart forgets it (the wait then starts over, which costs a
 * guesser nothing it would not have had anyway, and a user at most one known address).
 */
export class HttpLoginBackoff {
  private readonly addresses = new Map<string, AddressFailures>();
  private readonly usernames: LoginBackoff;
  /** username → (address → last successful login there). */
  private readonly knownAddresses = new Map<string, Map<string, number>>();

  constructor(
    private readonly now: () => number,
    private readonly policy: { address: BackoffPolicy; username: BackoffPolicy } = HTTP_LOGIN_BACKOFF,
  ) {
    this.usernames = new LoginBackoff(policy.username, now);
  }

  /** Milliseconds until this login may be checked; 0 when it may now. */
  retryAfterMs(address: string, username: string): number {
    const entry = this.address(address);
    const byAddress = entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
    const byUsername = this.isKnown(username, address) ? 0 : this.usernames.retryAfterMs(username);
    return Math.max(byAddress, byUsername);
  }

  failed(address: string, username: string): void {
    const now = this.now();
    const entry = this.address(address) ?? { byUsername: new Map(), others: 0, lastAt: now, blockedUntil: 0 };
    const count = (entry.byUsername.get(username) ?? 0) + 1;
    touch(entry.byUsername, username, count, Number.POSITIVE_INFINITY);
    if (entry.byUsername.size > MAX_USERNAMES_PER_ADDRESS) {
      const [oldest, failures] = entry.byUsername.entries().next().value as [string, number];
      entry.byUsername.delete(oldest);
      entry.others += failures;
    }
    entry.lastAt = now;
    const wait = waitAfter(this.policy.address, total(entry));
    if (wait > 0) entry.blockedUntil = now + wait;
    touch(this.addresses, address, entry, MAX_KEYS);
    this.usernames.fail(username);
  }

  /**
   * Remembers the address as the user's, and clears that address's failures for this username only.
   * The username's own count is left to time: the user's own addresses no longer wait for it, and a
   * guesser elsewhere must not get a fresh allowance each time the real user signs in.
   */
  succeeded(address: string, username: string): void {
    const entry = this.address(address);
    if (entry) {
      entry.byUsername.delete(username);
      if (total(entry) === 0) this.addresses.delete(address);
    }
    const known = this.knownAddresses.get(username) ?? new Map<string, number>();
    touch(known, address, this.now(), KNOWN_ADDRESSES_PER_USER);
    touch(this.knownAddresses, username, known, MAX_KEYS);
  }

  private isKnown(username: string, address: string): boolean {
    const at = this.knownAddresses.get(username)?.get(address);
    return at !== undefined && this.now() - at <= KNOWN_ADDRESS_MAX_AGE_MS;
  }

  private address(address: string): AddressFailures | undefined {
    const entry = this.addresses.get(address);
    if (entry && this.now() - entry.lastAt > this.policy.address.forgetAfterMs) {
      this.addresses.delete(address);
      return undefined;
    }
    return entry;
  }
}

function total(entry: AddressFailures): number {
  let sum = entry.others;
  for (const count of entry.byUsername.values()) sum += count;
  return sum;
}
