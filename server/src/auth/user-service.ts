import { PumpwatchError } from '../errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { SecurityStore, StoredUser } from './ports.js';
import type { Identity, Role } from './roles.js';

/** A hash to compare against when the user does not exist, so a wrong name costs the same as a wrong password. */
const DUMMY_HASH = hashPassword('not-a-real-password');

export class UserService {
  constructor(
    private readonly store: SecurityStore,
    private readonly now: () => number,
  ) {}

  async create(username: string, password: string, role: Role): Promise<Identity> {
    if (await this.store.getUser(username))
      throw new PumpwatchError('USER_EXISTS', `user ${username} exists`);
    await this.store.putUser({
      username,
      passwordHash: await hashPassword(password),
      role,
      createdAt: this.now(),
    });
    return { username, role };
  }

  /** Creates the admin, or resets its password and role to what the environment says. */
  async ensureAdmin(username: string, password: string): Promise<void> {
    const existing = await this.store.getUser(username);
    if (existing && existing.role === 'admin' && (await verifyPassword(password, existing.passwordHash)))
      return;
    await this.store.putUser({
      username,
      passwordHash: await hashPassword(password),
      role: 'admin',
      createdAt: existing?.createdAt ?? this.now(),
    });
  }

  async authenticate(username: string, password: string): Promise<Identity | null> {
    const user = await this.store.getUser(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH));
    return user && ok ? { username: user.username, role: user.role } : null;
  }

  async list(): Promise<Array<Omit<StoredUser, 'passwordHash'>>> {
    return (await this.store.listUsers()).map(({ passwordHash: _hash, ...user }) => user);
  }
}
