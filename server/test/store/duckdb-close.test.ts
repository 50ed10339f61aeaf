import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { GuardedConnection } from '../../src/store/duckdb/guarded-connection.js';

const closeMidQuery = fileURLToPath(new URL('./fixtures/close-mid-query.ts', import.meta.url));

describe('closing the embedded store with statements in flight', () => {
  it('waits for them: the process neither crashes nor hangs, over many rounds', () => {
    // A child process: before the guard this crashed (SIGSEGV) or never exited, which inside the test
    // worker would take the whole run down instead of failing one test.
    const child = spawnSync(process.execPath, ['--import', 'tsx', closeMidQuery, '40'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: '',
    });
    expect(child.stdout).toContain('closed 40 stores with work in flight');
  }, 90_000);

  it('closes a connection only after its running statement, and refuses statements after close', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = new GuardedConnection(await instance.connect(), 'test');
    const running = connection.runAndReadAll('SELECT sum(range * range) AS total FROM range(20000000)');
    expect(connection.busy).toBe(1);
    const closed = connection.close();
    await expect(connection.run('SELECT 1')).rejects.toMatchObject({ code: 'STORE_CLOSED' });
    const result = await running;
    expect(result.getRowObjectsJS()[0]?.total).toBeTypeOf('bigint');
    await closed;
    expect(connection.busy).toBe(0);
    instance.closeSync();
  });

  it('still closes when the statement in flight fails', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = new GuardedConnection(await instance.connect(), 'test');
    const failing = connection.run('SELECT * FROM no_such_table');
    await connection.close();
    await expect(failing).rejects.toThrow(/no_such_table/);
    instance.closeSync();
  });
});
