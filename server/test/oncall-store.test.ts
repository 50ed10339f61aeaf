import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbStore } from '../src/store/duckdb/open-duckdb-store.js';
import {
  type MemoryStoreData,
  newMemoryStoreData,
  openMemoryStore,
} from '../src/store/memory/open-memory-store.js';
import { describeOnCallStoreContract } from './oncall-store-contract.js';

// A location names the data a memory store keeps, so reopening it sees what an earlier store left.
const memory = new Map<string, MemoryStoreData>();
let next = 0;
describeOnCallStoreContract('in memory', {
  freshLocation: () => {
    next += 1;
    return `memory-${next}`;
  },
  async open(location) {
    let data = memory.get(location);
    if (!data) {
      data = newMemoryStoreData();
      memory.set(location, data);
    }
    return openMemoryStore(data);
  },
  async plant(location, kind, key, json) {
    memory.get(location)?.oncall[kind].set(key, json);
  },
});

describeOnCallStoreContract('embedded DuckDB', {
  freshLocation: () => join(mkdtempSync(join(tmpdir(), 'pw-oncall-')), 'data'),
  open: (location) => openDuckDbStore({ dataDir: location }),
  async plant(location, kind, key, json) {
    const instance = await DuckDBInstance.create(join(location, 'pumpwatch.duckdb'));
    const connection = await instance.connect();
    await connection.run('INSERT OR REPLACE INTO oncall_records VALUES ($kind, $key, $json)', {
      kind,
      key,
      json,
    });
    connection.closeSync();
    instance.closeSync();
  },
});
