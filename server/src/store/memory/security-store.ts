import type { AuditEntry, AuditQuery, SecurityStore, StoredHub, StoredUser } from '../../auth/ports.js';
import { assertInteger, assertLimit, compareText, type MemoryLifecycle } from './lifecycle.js';

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  before: string | null;
  after: string | null;
}

/** Users, hubs, revoked tokens (jti → expiry) and the audit log of a memory store. */
export interface MemorySecurityData {
  users: Map<string, StoredUser>;
  hubs: Map<string, StoredHub>;
  revoked: Map<string, number>;
  audit: AuditRow[];
  lastAuditId: number;
}

export function newSecurityData(): MemorySecurityData {
  return { users: new Map(), hubs: new Map(), revoked: new Map(), audit: [], lastAuditId: 0 };
}

/** The security store in memory, answering as the DuckDB adapter (duckdb/security-store.ts). */
export class MemorySecurityStore implements SecurityStore {
  constructor(
    private readonly data: MemorySecurityData,
    private readonly lifecycle: MemoryLifecycle,
  ) {}

  async getUser(username: string): Promise<StoredUser | null> {
    this.lifecycle.assertOpen('queries');
    const user = this.data.users.get(username);
    return user ? copyUser(user) : null;
  }

  async putUser(user: StoredUser): Promise<void> {
    this.lifecycle.assertOpen('writes');
    assertInteger('createdAt', user.createdAt);
    assertInteger('passwordChangedAt', user.passwordChangedAt);
    this.data.users.set(user.username, copyUser(user));
  }

  async deleteUser(username: string): Promise<boolean> {
    this.lifecycle.assertOpen('deletes');
    return this.data.users.delete(username);
  }

  async listUsers(): Promise<StoredUser[]> {
    this.lifecycle.assertOpen('queries');
    return sortedValues(this.data.users).map(copyUser);
  }

  async getHub(hubId: string): Promise<StoredHub | null> {
    this.lifecycle.assertOpen('queries');
    const hub = this.data.hubs.get(hubId);
    return hub ? copyHub(hub) : null;
  }

  async putHub(hub: StoredHub): Promise<void> {
    this.lifecycle.assertOpen('writes');
    assertInteger('createdAt', hub.createdAt);
    this.data.hubs.set(hub.hubId, copyHub(hub));
  }

  async listHubs(): Promise<StoredHub[]> {
    this.lifecycle.assertOpen('queries');
    return sortedValues(this.data.hubs).map(copyHub);
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    this.lifecycle.assertOpen('writes');
    assertInteger('expiresAt', expiresAt);
    this.data.revoked.set(jti, expiresAt);
  }

  /** Tokens revoked that have not expired by `now` (expiry strictly after it). */
  async revokedTokens(now: number): Promise<string[]> {
    this.lifecycle.assertOpen('queries');
    return [...this.data.revoked].filter(([, expiresAt]) => expiresAt > now).map(([jti]) => jti);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    this.lifecycle.assertOpen('writes');
    assertInteger('at', entry.at);
    const row: AuditRow = {
      id: this.data.lastAuditId + 1,
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      before: encodeJson('before', entry.before),
      after: encodeJson('after', entry.after),
    };
    this.data.audit.push(row);
    this.data.lastAuditId = row.id;
  }

  /** Newest first (by id), at most `limit`, within [from, to] and of the given actor and action. */
  async audit(query: AuditQuery): Promise<Array<AuditEntry & { id: number }>> {
    this.lifecycle.assertOpen('queries');
    assertLimit(query.limit);
    const from = query.from ?? 0;
    const to = query.to ?? Number.MAX_SAFE_INTEGER;
    const out: Array<AuditEntry & { id: number }> = [];
    for (let i = this.data.audit.length - 1; i >= 0 && out.length < query.limit; i -= 1) {
      const row = this.data.audit[i] as AuditRow;
      if (row.at < from || row.at > to) continue;
      if (query.actor !== undefined && row.actor !== query.actor) continue;
      if (query.action !== undefined && row.action !== query.action) continue;
      out.push({
        id: row.id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        target: row.target,
        before: row.before === null ? null : JSON.parse(row.before),
        after: row.after === null ? null : JSON.parse(row.after),
      });
    }
    return out;
  }
}

/**
 * null stays null; anything else is stored as its JSON. A value JSON cannot encode (undefined, a
 * function) is refused, as the DuckDB adapter's insert refuses the undefined parameter it becomes.
 */
function encodeJson(name: string, value: unknown): string | null {
  if (value === null) return null;
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`audit ${name} must be null or a JSON value`);
  return json;
}

function sortedValues<T>(map: Map<string, T>): T[] {
  return [...map.keys()].sort(compareText).map((key) => map.get(key) as T);
}

function copyUser(user: StoredUser): StoredUser {
  return {
    username: user.username,
    passwordHash: user.passwordHash,
    role: user.role,
    createdAt: user.createdAt,
    passwordChangedAt: user.passwordChangedAt,
  };
}

function copyHub(hub: StoredHub): StoredHub {
  return {
    hubId: hub.hubId,
    passwordHash: hub.passwordHash,
    mosquittoHash: hub.mosquittoHash,
    createdAt: hub.createdAt,
  };
}
