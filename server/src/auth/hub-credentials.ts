import { PumpwatchError } from '../errors.js';
import { generatePassword, hashPassword, mosquittoPasswordHash, verifyPassword } from './passwords.js';
import type { SecurityStore } from './ports.js';

/**
 * Each hub's MQTT credentials: the username is the hub id, the password is generated, shown once and
 * stored only as hashes (scrypt for the embedded broker, Mosquitto's own for its password file).
 */
export class HubCredentials {
  /** Verified passwords, so a reconnecting hub does not pay scrypt every time. Keyed by hub and hash. */
  private readonly verified = new Map<string, string>();

  constructor(
    private readonly store: SecurityStore,
    private readonly now: () => number,
  ) {}

  async register(hubId: string): Promise<{ hubId: string; username: string; password: string }> {
    if (await this.store.getHub(hubId))
      throw new PumpwatchError('HUB_EXISTS', `hub ${hubId} is registered already`);
    const password = generatePassword();
    await this.store.putHub({
      hubId,
      passwordHash: await hashPassword(password),
      mosquittoHash: await mosquittoPasswordHash(password),
      createdAt: this.now(),
    });
    return { hubId, username: hubId, password };
  }

  async verify(hubId: string, password: string): Promise<boolean> {
    const hub = await this.store.getHub(hubId);
    if (!hub) return false;
    if (this.verified.get(hubId) === `${hub.passwordHash}\n${password}`) return true;
    const ok = await verifyPassword(password, hub.passwordHash);
    if (ok) this.verified.set(hubId, `${hub.passwordHash}\n${password}`);
    return ok;
  }
}
