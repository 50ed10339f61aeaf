import type { AuditEntry, AuditQuery, SecurityStore, StoredHub, StoredUser } from '../../auth/ports.js';
import type { Role } from '../../auth/roles.js';
import type { SqlConnection } from './guarded-connection.js';

/** Tables of the security store; created with the rest of the schema (no defaults, no ALTER: schema.ts). */
export const securitySchemaStatements = [
  `CREATE TABLE IF NOT EXISTS users (
     username VARCHAR PRIMARY KEY,
     password_hash VARCHAR NOT NULL,
     role VARCHAR NOT NULL,
     created_at BIGINT NOT NULL
   )`,
  // When each user's password was last set. A table of its own, not a column of `users`: stores made
  // before it keep their rows untouched and need no ALTER TABLE (see schema.ts); a user without a row
  // here reads as 0. Written and deleted in the same transaction as its `users` row.
  `CREATE TABLE IF NOT EXISTS user_password_changes (
     username VARCHAR PRIMARY KEY,
     changed_at BIGINT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS hubs (
     hub_id VARCHAR PRIMARY KEY,
     password_hash VARCHAR NOT NULL,
     mosquitto_hash VARCHAR NOT NULL,
     created_at BIGINT NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS revoked_tokens (
     jti VARCHAR PRIMARY KEY,
     expires_at BIGINT NOT NULL
   )`,
  `CREATE SEQUENCE IF NOT EXISTS audit_seq`,
  `CREATE TABLE IF NOT EXISTS audit (
     id BIGINT PRIMARY KEY,
     event_at BIGINT NOT NULL,
     actor VARCHAR NOT NULL,
     action VARCHAR NOT NULL,
     target VARCHAR,
     before_json VARCHAR,
     after_json VARCHAR
   )`,
];

/** Security data in the embedded store, on its own connection; writes run one at a time. */
export class DuckDbSecurityStore implements SecurityStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly connection: SqlConnection) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  async getUser(username: string): Promise<StoredUser | null> {
    const rows = await this.rows(`${SELECT_USERS} WHERE u.username = $u`, { u: username });
    const row = rows[0];
    return row ? toUser(row) : null;
  }

  putUser(user: StoredUser): Promise<void> {
    return this.serial(() =>
      this.transaction(async () => {
        await this.connection.run(
          'INSERT OR REPLACE INTO users (username, password_hash, role, created_at) VALUES ($u, $h, $r, $c)',
          { u: user.username, h: user.passwordHash, r: user.role, c: BigInt(user.createdAt) },
        );
        await this.connection.run(
          'INSERT OR REPLACE INTO user_password_changes (username, changed_at) VALUES ($u, $c)',
          { u: user.username, c: BigInt(user.passwordChangedAt) },
        );
      }),
    );
  }

  deleteUser(username: string): Promise<boolean> {
    return this.serial(async () => {
      const existing = await this.rows('SELECT username FROM users WHERE username = $u', { u: username });
      if (existing.length === 0) return false;
      await this.transaction(async () => {
        await this.connection.run('DELETE FROM users WHERE username = $u', { u: username });
        await this.connection.run('DELETE FROM user_password_changes WHERE username = $u', { u: username });
      });
      return true;
    });
  }

  async listUsers(): Promise<StoredUser[]> {
    return (await this.rows(`${SELECT_USERS} ORDER BY u.username`)).map(toUser);
  }

  async getHub(hubId: string): Promise<StoredHub | null> {
    const row = (await this.rows('SELECT * FROM hubs WHERE hub_id = $h', { h: hubId }))[0];
    return row ? toHub(row) : null;
  }

  putHub(hub: StoredHub): Promise<void> {
    return this.serial(async () => {
      await this.connection.run(
        'INSERT OR REPLACE INTO hubs (hub_id, password_hash, mosquitto_hash, created_at) VALUES ($h, $p, $m, $c)',
        { h: hub.hubId, p: hub.passwordHash, m: hub.mosquittoHash, c: BigInt(hub.createdAt) },
      );
    });
  }

  async listHubs(): Promise<StoredHub[]> {
    return (await this.rows('SELECT * FROM hubs ORDER BY hub_id')).map(toHub);
  }

  revokeToken(jti: string, expiresAt: number): Promise<void> {
    return this.serial(async () => {
      await this.connection.run('INSERT OR REPLACE INTO revoked_tokens (jti, expires_at) VALUES ($j, $e)', {
        j: jti,
        e: BigInt(expiresAt),
      });
    });
  }

  async revokedTokens(now: number): Promise<string[]> {
    const rows = await this.rows('SELECT jti FROM revoked_tokens WHERE expires_at > $now', {
      now: BigInt(now),
    });
    return rows.map((row) => String(row.jti));
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    return this.serial(async () => {
      await this.connection.run(
        `INSERT INTO audit (id, event_at, actor, action, target, before_json, after_json)
         VALUES (nextval('audit_seq'), $at, $actor, $action, $target, $before, $after)`,
        {
          at: BigInt(entry.at),
          actor: entry.actor,
          action: entry.action,
          target: entry.target,
          before: entry.before === null ? null : JSON.stringify(entry.before),
          after: entry.after === null ? null : JSON.stringify(entry.after),
        },
      );
    });
  }

  async audit(query: AuditQuery): Promise<Array<AuditEntry & { id: number }>> {
    await this.queue;
    const rows = await this.rows(
      `SELECT * FROM audit
       WHERE event_at >= $from AND event_at <= $to AND ($actor IS NULL OR actor = $actor) AND ($action IS NULL OR action = $action)
       ORDER BY id DESC LIMIT $limit`,
      {
        from: BigInt(query.from ?? 0),
        to: BigInt(query.to ?? Number.MAX_SAFE_INTEGER),
        actor: query.actor ?? null,
        action: query.action ?? null,
        limit: BigInt(query.limit),
      },
    );
    return rows.map((row) => ({
      id: Number(row.id),
      at: Number(row.event_at),
      actor: String(row.actor),
      action: String(row.action),
      target: row.target === null ? null : String(row.target),
      before: row.before_json === null ? null : JSON.parse(String(row.before_json)),
      after: row.after_json === null ? null : JSON.parse(String(row.after_json)),
    }));
  }

  private async transaction(work: () => Promise<void>): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await work();
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await this.connection.run('COMMIT');
  }

  private async rows(sql: string, values: Record<string, string | bigint | null> = {}) {
    const result = await this.connection.runAndReadAll(sql, values);
    return result.getRowObjectsJS();
  }
}

/** Users with the time their password was last set; 0 for one stored before that was kept. */
const SELECT_USERS = `SELECT u.*, coalesce(p.changed_at, 0) AS password_changed_at
  FROM users u LEFT JOIN user_password_changes p ON p.username = u.username`;

function toUser(row: Record<string, unknown>): StoredUser {
  return {
    username: String(row.username),
    passwordHash: String(row.password_hash),
    role: String(row.role) as Role,
    createdAt: Number(row.created_at),
    passwordChangedAt: Number(row.password_changed_at),
  };
}

function toHub(row: Record<string, unknown>): StoredHub {
  return {
    hubId: String(row.hub_id),
    passwordHash: String(row.password_hash),
    mosquittoHash: String(row.mosquitto_hash),
    createdAt: Number(row.created_at),
  };
}
