import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../../src/store/duckdb/open-duckdb-store.js';
import type { DuckDbSampleStore } from '../../src/store/duckdb/sample-store.js';
import { sample } from '../fixtures.js';
import { patient, therapy } from './care-fixtures.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('embedded DuckDB', {
  open: (location) => openDuckDbStore({ dataDir: location }),
  freshLocation: () => join(mkdtempSync(join(tmpdir(), 'pw-duckdb-')), 'data'),
});

describe('embedded DuckDB commit watermarks', () => {
  it('resolves committed() at its own flush, without forcing a commit', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-duckdb-committed-')), 'data');
    const store = await openDuckDbStore({ dataDir, flushIntervalMs: 300 });
    try {
      const samples = store.samples as DuckDbSampleStore;
      store.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 1, sample: sample({ seq: 1, ts: 1000 }) });
      const started = Date.now();
      let resolved = false;
      const committed = store.samples.committed().then(() => {
        resolved = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Not forced: the row is still waiting for the flush timer.
      expect(resolved).toBe(false);
      expect(samples.pendingRows).toBe(1);
      await committed;
      expect(samples.pendingRows).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await store.close();
    }
  });
});

describe('embedded DuckDB upgrade to hub epochs', () => {
  it('opens a store made before the epoch column, keeps its rows, and stores epochs after', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-duckdb-epoch-')), 'data');
    const first = await openDuckDbStore({ dataDir });
    first.samples.append({ hubId: 'h', pumpId: 'p', receivedAt: 1, sample: sample({ seq: 1, ts: 1000 }) });
    await first.close();
    // Back to the schema of a store made before issue 15.
    const instance = await DuckDBInstance.create(join(dataDir, 'pumpwatch.duckdb'));
    const connection = await instance.connect();
    await connection.run('ALTER TABLE samples DROP COLUMN epoch');
    await connection.run('CHECKPOINT');
    connection.closeSync();
    instance.closeSync();

    const second = await openDuckDbStore({ dataDir });
    try {
      second.samples.append({
        hubId: 'h',
        pumpId: 'p',
        receivedAt: 2,
        sample: sample({ seq: 0, ts: 2000, epoch: 'E1' }),
      });
      const rows = await second.samples.query('p', { limit: 10 });
      expect(rows.map((row) => [row.seq, row.epoch])).toEqual([
        [1, undefined],
        [0, 'E1'],
      ]);
      expect(await second.samples.recentSeqs(10)).toEqual([{ pumpId: 'p', seq: 0, epoch: 'E1' }]);
    } finally {
      await second.close();
    }
  });
});

describe('embedded DuckDB care records', () => {
  it('quarantines a row whose JSON cannot be decoded, or stored under another id, after a reopen', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'pw-duckdb-care-')), 'data');
    const first = await openDuckDbStore({ dataDir });
    await first.care.patients.put(patient({ id: 'pat_good' }));
    await first.care.therapies.put(therapy());
    await first.close();
    // Damage behind the store's back, as a disk fault or an older server could have left it.
    const instance = await DuckDBInstance.create(join(dataDir, 'pumpwatch.duckdb'));
    const connection = await instance.connect();
    await connection.run(
      `INSERT INTO care_records VALUES ('patients', 'pat_garbled', '{"id": "pat_garbled", '),
         ('patients', 'pat_moved', $moved), ('nonsense', 'x', 'not json either')`,
      { moved: JSON.stringify(patient({ id: 'pat_other' })) },
    );
    connection.closeSync();
    instance.closeSync();

    const second = await openDuckDbStore({ dataDir });
    try {
      const keys: Array<string | undefined> = [];
      expect(await second.care.patients.all((key) => keys.push(key))).toEqual([patient({ id: 'pat_good' })]);
      expect(keys).toEqual(['pat_garbled', 'pat_moved']);
      // A row of no kind the port knows is read by none of them.
      expect(await second.care.therapies.all()).toEqual([therapy()]);
    } finally {
      await second.close();
    }
  });
});
