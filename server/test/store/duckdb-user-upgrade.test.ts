import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../../src/store/duckdb/open-duckdb-store.js';

describe('embedded DuckDB: users stored before password times were kept', () => {
  it('keeps them, reads their password time as 0, and keeps one once it is set', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-duckdb-users-')), 'data');
    mkdirSync(dataDir, { recursive: true });
    // The users table as earlier releases made it, with one user in it and no password time anywhere.
    const old = await DuckDBInstance.create(join(dataDir, 'pumpwatch.duckdb'));
    const connection = await old.connect();
    await connection.run(`CREATE TABLE users (
       username VARCHAR PRIMARY KEY,
       password_hash VARCHAR NOT NULL,
       role VARCHAR NOT NULL,
       created_at BIGINT NOT NULL
     )`);
    await connection.run("INSERT INTO users VALUES ('nell', 'scrypt$old', 'nurse', 1000)");
    connection.closeSync();
    old.closeSync();

    const store = await openDuckDbStore({ dataDir });
    try {
      const nell = { username: 'nell', passwordHash: 'scrypt$old', role: 'nurse' as const, createdAt: 1000 };
      expect(await store.security.getUser('nell')).toEqual({ ...nell, passwordChangedAt: 0 });
      expect(await store.security.listUsers()).toEqual([{ ...nell, passwordChangedAt: 0 }]);
      await store.security.putUser({ ...nell, passwordHash: 'scrypt$new', passwordChangedAt: 5000 });
      expect(await store.security.getUser('nell')).toMatchObject({ passwordChangedAt: 5000 });
      expect(await store.security.deleteUser('nell')).toBe(true);
      await store.security.putUser({ ...nell, createdAt: 9000, passwordChangedAt: 9000 });
      expect(await store.security.getUser('nell')).toMatchObject({
        createdAt: 9000,
        passwordChangedAt: 9000,
      });
    } finally {
      await store.close();
    }
  });
});
