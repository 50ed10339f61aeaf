import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { openDuckDbStore } from '../../src/store/duckdb/open-duckdb-store.js';
import { patient, therapy } from './care-fixtures.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('embedded DuckDB', {
  open: (location) => openDuckDbStore({ dataDir: location }),
  freshLocation: () => join(mkdtempSync(join(tmpdir(), 'pw-duckdb-')), 'data'),
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
