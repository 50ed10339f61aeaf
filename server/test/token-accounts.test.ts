import { describe, expect, it } from 'vitest';
import { TokenService } from '../src/auth/token-service.js';
import { UserService } from '../src/auth/user-service.js';
import { openMemoryStore } from '../src/store/memory/open-memory-store.js';

const PASSWORD = 'tulip drip syringe meadow';
const OTHER_PASSWORD = 'harbour lantern cobalt fig';

function services(start = 1_700_000_000_123) {
  const clock = { now: start };
  const store = openMemoryStore().security;
  const users = new UserService(store, () => clock.now);
  const tokens = new TokenService('x'.repeat(32), 12 * 60 * 60_000, () => clock.now, users);
  return { clock, store, users, tokens };
}

describe('tokens are tied to the account, not only its name', () => {
  it('refuses the tokens of a deleted user whose name is created again, the heartbeat check too', async () => {
    const { clock, users, tokens } = services();
    await users.create('kim', PASSWORD, 'admin');
    clock.now += 1_000;
    const old = await tokens.issue({ username: 'kim', role: 'admin' });
    const opened = await tokens.verify(old.token);
    expect(opened).not.toBeNull();
    clock.now += 1_000;
    await users.delete('kim');
    // Created again within the same second as a fresh login: only the new account's token is good.
    clock.now += 10;
    await users.create('kim', OTHER_PASSWORD, 'viewer');
    const fresh = await tokens.issue({ username: 'kim', role: 'viewer' });
    expect(await tokens.verify(old.token)).toBeNull();
    expect(await tokens.verify(fresh.token)).toMatchObject({ username: 'kim' });
    // What an open WebSocket asks at each heartbeat, synchronously.
    expect(tokens.isRevoked(opened?.jti as string)).toBe(true);
    const freshId = (await tokens.verify(fresh.token))?.jti as string;
    expect(tokens.isRevoked(freshId)).toBe(false);
  });

  it('accepts a token issued in the same second as, but after, the account was created', async () => {
    const { clock, users, tokens } = services(1_700_000_000_900);
    await users.create('ana', PASSWORD, 'nurse');
    clock.now += 50; // the same second: a whole-second iat would put this login before the account
    const issued = await tokens.issue({ username: 'ana', role: 'nurse' });
    expect(await tokens.verify(issued.token)).toMatchObject({ username: 'ana' });
  });

  it('ends older sessions when the admin password is reset from the environment, not when it is the same', async () => {
    const { clock, users, tokens } = services();
    await users.ensureAdmin('root', PASSWORD);
    clock.now += 1_000;
    const before = await tokens.issue({ username: 'root', role: 'admin' });
    clock.now += 1_000;
    // Started again with the same password: sessions carry on.
    await users.ensureAdmin('root', PASSWORD);
    expect(await tokens.verify(before.token)).not.toBeNull();
    clock.now += 1_000;
    await users.ensureAdmin('root', OTHER_PASSWORD);
    expect(await tokens.verify(before.token)).toBeNull();
    clock.now += 1_000;
    const after = await tokens.issue({ username: 'root', role: 'admin' });
    expect(await tokens.verify(after.token)).not.toBeNull();
  });

  it('refuses a reset admin’s older tokens in a new process too (the store keeps the time)', async () => {
    const { clock, store, users, tokens } = services();
    await users.ensureAdmin('root', PASSWORD);
    clock.now += 1_000;
    const before = await tokens.issue({ username: 'root', role: 'admin' });
    // A restart: new services on the same store, the environment now naming a new password.
    clock.now += 60_000;
    const restartedUsers = new UserService(store, () => clock.now);
    await restartedUsers.ensureAdmin('root', OTHER_PASSWORD);
    const restartedTokens = new TokenService(
      'x'.repeat(32),
      12 * 60 * 60_000,
      () => clock.now,
      restartedUsers,
    );
    expect(await restartedTokens.verify(before.token)).toBeNull();
  });

  it('keeps the tokens of a user stored before password times were kept (read as 0)', async () => {
    const { clock, store, users, tokens } = services();
    await store.putUser({
      username: 'old',
      passwordHash: 'scrypt$unused',
      role: 'viewer',
      createdAt: clock.now - 86_400_000,
      passwordChangedAt: 0,
    });
    const issued = await tokens.issue({ username: 'old', role: 'viewer' });
    clock.now += 1_000;
    expect(await tokens.verify(issued.token)).toMatchObject({ username: 'old' });
    expect(await users.currentIdentity('old')).toEqual({ username: 'old', role: 'viewer' });
  });
});
