import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbStore } from '../../src/store/duckdb/open-duckdb-store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('embedded DuckDB', {
  open: (location) => openDuckDbStore({ dataDir: location }),
  freshLocation: () => join(mkdtempSync(join(tmpdir(), 'pw-duckdb-')), 'data'),
});
