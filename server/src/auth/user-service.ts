import { PumpwatchError } from '../errors.js';
import { passwordProblem } from './password-policy.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { SecurityStore, StoredUser } from './ports.js';
import type { Identity, Role } from './roles.js';

/** A hash to compare against when the user does not exist, so a wrong name costs the same as a wrong password. */
const DUMMY_HASH = hashPassword('not-a-real-password');

/** How long a user's current role is trusted from memory; changes through this service apply at once. */
const CURRENT_TTL_MS = 5_000;

/** A user as the token check needs it: null once gone. */
interface Current {
  user: Identity | null;
  /** Tokens issued before this (ms) are refused: the account's creation or its last password change. */
  sessionsFrom: number;
  at: number;
}

/** A stored user's earliest accepted token time. */
function sessionsFrom(user: StoredUser): number {
  return Math.max(user.createdAt, user.passwordChangedAt);
}

export class UserService {
  /** What every request's token is checked against: the user as stored, cached for a few seconds. */
  private readonly current = new Map<string, Current>();

  constructor(
    private readonly store: SecurityStore,
    private readonly now: () => number,
  ) {}

  /**
   * Throws USER_EXISTS, or PASSWORD_WEAK (with the reason) for a password the policy refuses
   * (password-policy.ts). The name is checked first: the policy costs up to ~10 ms of the event loop.
   */
  async create(username: string, password: string, role: Role): Promise<Identity> {
    if (await this.store.getUser(username))
      throw new PumpwatchError('USER_EXISTS', `user ${username} exists`);
    const problem = passwordProblem(password, username);
    if (problem) throw new PumpwatchError('PASSWORD_WEAK', problem);
    const at = this.now();
    await this.remember({
      username,
      passwordHash: await hashPassword(password),
      role,
      createdAt: at,
      passwordChangedAt: at,
    });
    return { username, role };
  }

  /**
   * Creates the admin, or resets its password and role to what the environment says. A new password
   * ends the sessions opened with the old one; the same password keeps them.
   */
  async ensureAdmin(username: string, password: string): Promise<void> {
    const existing = await this.store.getUser(username);
    const samePassword = existing !== null && (await verifyPassword(password, existing.passwordHash));
    if (existing && samePassword && existing.role === 'admin') return;
    const at = this.now();
    await this.remember({
      username,
      passwordHash: samePassword && existing ? existing.passwordHash : await hashPassword(password),
      role: 'admin',
      createdAt: existing?.createdAt ?? at,
      passwordChangedAt: samePassword && existing ? existing.passwordChangedAt : at,
    });
  }

  /** Removes a user; its sessions end at its next request (`currentIdentity`). */
  async delete(username: string): Promise<boolean> {
    const deleted = await this.store.deleteUser(username);
    this.cache(username, { user: null, sessionsFrom: Number.POSITIVE_INFINITY, at: this.now() });
    return deleted;
  }

  async authenticate(username: string, password: string): Promise<Identity | null> {
    const user = await this.store.getUser(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH));
    return user && ok ? { username: user.username, role: user.role } : null;
  }

  /**
   * The user a token names as it is now: null once deleted, with its stored role (a token carries the
   * role it was issued with; a demoted user must not keep the old one until the token expires).
   */
  async currentIdentity(username: string): Promise<Identity | null> {
    return (await this.lookup(username)).user;
  }

  /**
   * Whether a token for `username` issued at `issuedAt` (ms) belongs to the account stored under that
   * name now: not before it was created (a deleted name created again is another account) nor before
   * its password was last set. The token service asks this for every token it accepts.
   */
  async acceptsSession(username: string, issuedAt: number): Promise<boolean> {
    const { user, sessionsFrom } = await this.lookup(username);
    return user !== null && issuedAt >= sessionsFrom;
  }

  /**
   * The same as this server last saw the account, without reading the store: for the WebSocket
   * heartbeat, which must be synchronous. True when nothing is known (the upgrade checked the store).
   */
  knownToAcceptSession(username: string, issuedAt: number): boolean {
    const known = this.current.get(username);
    return known === undefined || (known.user !== null && issuedAt >= known.sessionsFrom);
  }

  /** True once this server has seen the user gone (deleted): open WebSockets check it at each heartbeat. */
  isGone(username: string): boolean {
    return this.current.get(username)?.user === null;
  }

  async list(): Promise<Array<Omit<StoredUser, 'passwordHash'>>> {
    return (await this.store.listUsers()).map(({ passwordHash: _hash, ...user }) => user);
  }

  /** Stores a user and makes it current at once (a re-created name's old tokens stop here, not in 5 s). */
  private async remember(user: StoredUser): Promise<void> {
    await this.store.putUser(user);
    this.cache(user.username, {
      user: { username: user.username, role: user.role },
      sessionsFrom: sessionsFrom(user),
      at: this.now(),
    });
  }

  private async lookup(username: string): Promise<Current> {
    const cached = this.current.get(username);
    if (cached && this.now() - cached.at < CURRENT_TTL_MS) return cached;
    const stored = await this.store.getUser(username);
    const entry: Current = stored
      ? {
          user: { username: stored.username, role: stored.role },
          sessionsFrom: sessionsFrom(stored),
          at: this.now(),
        }
      : { user: null, sessionsFrom: Number.POSITIVE_INFINITY, at: this.now() };
    this.cache(username, entry);
    return entry;
  }

  private cache(username: string, entry: Current): void {
    this.current.delete(username);
    this.current.set(username, entry);
    // Oldest first out: the entry a heartbeat needs is kept as long as its user is still in use.
    if (this.current.size > 10_000) {
      const oldest = this.current.keys().next().value;
      if (oldest !== undefined) this.current.delete(oldest);
    }
  }
}
