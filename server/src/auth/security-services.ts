import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BrokerAuthorizer } from '../broker/broker-auth.js';
import { AuditLog } from './audit-log.js';
import type { AuthConfig } from './auth-config.js';
import { HubCredentials } from './hub-credentials.js';
import { generatePassword } from './passwords.js';
import type { SecurityStore } from './ports.js';
import { TokenService } from './token-service.js';
import { UserService } from './user-service.js';

export interface SecurityServices {
  mode: AuthConfig['mode'];
  tokens: TokenService;
  users: UserService;
  hubs: HubCredentials;
  audit: AuditLog;
  store: SecurityStore;
  /** Hooks for the embedded broker; undefined with authentication disabled. */
  brokerAuth: BrokerAuthorizer | undefined;
  /** The server's own credentials on the embedded broker, new at every start. */
  serverMqttPassword: string;
}

/**
 * Builds everything authentication needs from config and the store: the token key (kept in the data
 * directory so sessions survive a restart), revoked tokens, the admin from the environment.
 */
export async function createSecurityServices(options: {
  config: AuthConfig;
  store: SecurityStore;
  dataDir: string;
  topicPrefix: string;
  now: () => number;
  logger: Logger;
}): Promise<SecurityServices> {
  const { config, store, now, logger } = options;
  const secret = config.tokenSecret ?? tokenSecretIn(options.dataDir);
  const users = new UserService(store, now);
  const tokens = new TokenService(secret, config.tokenTtlMs, now, users);
  for (const jti of await store.revokedTokens(now())) tokens.markRevoked(jti);
  if (config.adminUser && config.adminPassword) {
    await users.ensureAdmin(config.adminUser, config.adminPassword);
    logger.info({ username: config.adminUser }, 'admin user ensured');
  }
  const hubs = new HubCredentials(store, now);
  const serverMqttPassword = generatePassword();
  if (config.mode === 'disabled') {
    logger.warn(
      'AUTHENTICATION DISABLED: anyone can read patient data and acknowledge alerts. Development only.',
    );
  }
  return {
    mode: config.mode,
    tokens,
    users,
    hubs,
    audit: new AuditLog(store, now),
    store,
    brokerAuth:
      config.mode === 'required'
        ? new BrokerAuthorizer(hubs, serverMqttPassword, options.topicPrefix)
        : undefined,
    serverMqttPassword,
  };
}

/** A random 256-bit key, created once per data directory with owner-only permissions. */
function tokenSecretIn(dataDir: string): string {
  if (dataDir === ':memory:') return randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'token-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}
