export interface LoginThrottleOptions {
  /** Failed (or still unfinished) logins an address may have in a window before it is refused. */
  addressFailures: number;
  /** Failed logins for one username, from any address, before strangers to it are refused. */
  usernameFailures: number;
  windowMs: number;
  /** The first refusal period; each further one in a row doubles, up to the max. */
  baseBlockMs: number;
  maxAddressBlockMs: number;
  maxUsernameBlockMs: number;
  /** Keys kept per table; past it the oldest go, so a spray of addresses or names cannot fill memory. */
  maxEntries: number;
}

export const defaultLoginThrottle: LoginThrottleOptions = {
  addressFailures: 5,
  usernameFailures: 10,
  windowMs: 60_000,
  baseBlockMs: 1_000,
  maxAddressBlockMs: 15 * 60_000,
  maxUsernameBlockMs: 5 * 60_000,
  maxEntries: 10_000,
};

interface Counter {
  failures: number;
  windowStart: number;
  blockedUntil: number;
  /** Refusal periods in a row: the exponent of the next one. */
  blocks: number;
  lastFailureAt: number;
  inFlight: number;
}

/** Addresses a username last logged in from (each username keeps a few). */
const KNOWN_ADDRESSES_PER_USERNAME = 8;

export type ThrottleVerdict = 'go' | 'address' | 'username';

/**
 * Back-off of failed MQTT logins, decided before any password hash is computed: 200 parallel wrong
 * CONNECTs cost 200 scrypt hashes and delayed a real hub's connect to 6 s (issue #11).
 *
 * - Per client address: after `addressFailures` failures in a window the address is refused for a period
 *   that doubles each time (1 s, 2 s … 15 min). Logins still being checked count too, so a burst of
 *   parallel attempts gets `addressFailures` hashes, not one per attempt. A success does not clear the
 *   address: one valid credential must not buy unlimited guesses at other hubs' passwords.
 * - Per username: after `usernameFailures` failures in a window (from any addresses) the username is
 *   refused, for a doubling period up to 5 min, to every address it has not logged in from before. Not
 *   to all: a plain per-username lock would let anyone lock a real hub out by guessing its password, a
 *   denial of service as good as the attack. A hub reconnecting from its home address still gets in; a
 *   hub on a new address during an attack waits at most `maxUsernameBlockMs`.
 */
export class LoginThrottle {
  private readonly addresses = new Map<string, Counter>();
  private readonly usernames = new Map<string, Counter>();
  private readonly knownAddresses = new Map<string, string[]>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly options: LoginThrottleOptions = defaultLoginThrottle,
  ) {}

  /** Whether to check this login at all; on `go` the caller must report its outcome with `end`. */
  begin(address: string, username: string): ThrottleVerdict {
    const now = this.now();
    const byAddress = this.counter(this.addresses, address, now);
    if (byAddress.blockedUntil > now) return 'address';
    if (byAddress.failures + byAddress.inFlight >= this.options.addressFailures) return 'address';
    const byUsername = this.usernames.get(username);
    if (byUsername && byUsername.blockedUntil > now && !this.isKnown(username, address)) return 'username';
    byAddress.inFlight += 1;
    return 'go';
  }

  end(address: string, username: string, ok: boolean): void {
    const now = this.now();
    const byAddress = this.counter(this.addresses, address, now);
    byAddress.inFlight = Math.max(0, byAddress.inFlight - 1);
    if (ok) {
      this.remember(username, address);
      return;
    }
    this.fail(byAddress, this.options.addressFailures, this.options.maxAddressBlockMs, now);
    this.fail(
      this.counter(this.usernames, username, now),
      this.options.usernameFailures,
      this.options.maxUsernameBlockMs,
      now,
    );
  }

  private fail(counter: Counter, limit: number, maxBlockMs: number, now: number): void {
    counter.failures += 1;
    counter.lastFailureAt = now;
    if (counter.failures < limit) return;
    counter.blockedUntil =
      now + Math.min(maxBlockMs, this.options.baseBlockMs * 2 ** Math.min(counter.blocks, 30));
    counter.blocks += 1;
    // The next window opens when the refusal ends.
    counter.failures = 0;
    counter.windowStart = counter.blockedUntil;
  }

  /** The key's counter, its window rolled forward; quiet for longer than the longest block forgets it. */
  private counter(table: Map<string, Counter>, key: string, now: number): Counter {
    let counter = table.get(key);
    if (counter && counter.inFlight === 0 && counter.blockedUntil <= now) {
      if (now - counter.lastFailureAt > this.options.maxAddressBlockMs) counter = undefined;
      else if (now - counter.windowStart > this.options.windowMs) {
        counter.failures = 0;
        counter.windowStart = now;
      }
    }
    if (!counter) {
      counter = {
        failures: 0,
        windowStart: now,
        blockedUntil: 0,
        blocks: 0,
        lastFailureAt: now,
        inFlight: 0,
      };
    }
    touch(table, key, counter, this.options.maxEntries);
    return counter;
  }

  private isKnown(username: string, address: string): boolean {
    return this.knownAddresses.get(username)?.includes(address) ?? false;
  }

  private remember(username: string, address: string): void {
    const known = (this.knownAddresses.get(username) ?? []).filter((other) => other !== address);
    known.push(address);
    touch(this.knownAddresses, username, known.slice(-KNOWN_ADDRESSES_PER_USERNAME), this.options.maxEntries);
  }
}

/** Sets `key` as the newest entry of `table` and drops the oldest past `max` (Map keeps insertion order). */
function touch<T>(table: Map<string, T>, key: string, value: T, max: number): void {
  table.delete(key);
  table.set(key, value);
  if (table.size <= max) return;
  const oldest = table.keys().next().value;
  if (oldest !== undefined) table.delete(oldest);
}

/**
 * The key a client address is throttled under: IPv4 as it is (also when IPv4-mapped), IPv6 by its /64,
 * since one home or one attacker's host commonly has a whole /64 to pick addresses from.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
