import type { Role } from './roles.js';

export interface StoredUser {
  username: string;
  passwordHash: string;
  role: Role;
  createdAt: number;
  /**
   * When the password was last set (ms). Tokens issued before it, or before `createdAt`, are refused: a
   * reset ends older sessions, a re-created name does not bring back the old account's tokens. Users
   * stored before this was kept read as 0.
   */
  passwordChangedAt: number;
}

export interface StoredHub {
  hubId: string;
  /** scrypt hash for the embedded broker. */
  passwordHash: string;
  /** Mosquitto `$7$` hash for an external broker's password file. */
  mosquittoHash: string;
  createdAt: number;
}

export interface AuditEntry {
  at: number;
  actor: string;
  action: string;
  target: string | null;
  before: unknown;
  after: unknown;
}

export interface AuditQuery {
  from?: number;
  to?: number;
  actor?: string;
  action?: string;
  limit: number;
}

/** Users, hub credentials, revoked tokens and the append-only audit log. */
export interface SecurityStore {
  getUser(username: string): Promise<StoredUser | null>;
  putUser(user: StoredUser): Promise<void>;
  /** False when there was no such user. */
  deleteUser(username: string): Promise<boolean>;
  listUsers(): Promise<StoredUser[]>;
  getHub(hubId: string): Promise<StoredHub | null>;
  putHub(hub: StoredHub): Promise<void>;
  listHubs(): Promise<StoredHub[]>;
  revokeToken(jti: string, expiresAt: number): Promise<void>;
  revokedTokens(now: number): Promise<string[]>;
  appendAudit(entry: AuditEntry): Promise<void>;
  audit(query: AuditQuery): Promise<Array<AuditEntry & { id: number }>>;
}
