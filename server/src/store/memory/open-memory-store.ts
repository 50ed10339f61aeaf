import type { StoredOrder } from '@pumpwatch/protocol';
import type { Store, StoredPumpParams } from '../ports.js';
import { type MemoryAlertData, MemoryAlertStore, newAlertData } from './alert-store.js';
import { type MemoryCareData, newCareData, openMemoryCareStore } from './care-store.js';
import { type MemoryContactData, MemoryContactStore, newContactData } from './contact-store.js';
import { MemoryLifecycle } from './lifecycle.js';
import { type MemoryOnCallData, newOnCallData, openMemoryOnCallStore } from './oncall-store.js';
import { MemoryPumpDocuments } from './pump-documents.js';
import { type MemorySampleData, MemorySampleStore, newSampleData } from './sample-store.js';
import { type MemorySecurityData, MemorySecurityStore, newSecurityData } from './security-store.js';

/**
 * Everything a memory store holds. It lives only in this object: nothing is written anywhere, so nothing
 * survives the process. Passing the same object to another `openMemoryStore` reopens what the first one
 * kept, which is how the contract suite checks close-and-reopen.
 */
export interface MemoryStoreData {
  samples: MemorySampleData;
  alerts: MemoryAlertData;
  /** Order JSON per pump. */
  orders: Map<string, string>;
  /** Rule-settings JSON per pump. */
  pumpParams: Map<string, string>;
  security: MemorySecurityData;
  /** Care record JSON by kind and id. */
  care: MemoryCareData;
  /** On-call record JSON by kind and key. */
  oncall: MemoryOnCallData;
  /** Push devices, contact details and paging secrets, as JSON. */
  contacts: MemoryContactData;
}

export function newMemoryStoreData(): MemoryStoreData {
  return {
    samples: newSampleData(),
    alerts: newAlertData(),
    orders: new Map(),
    pumpParams: new Map(),
    security: newSecurityData(),
    care: newCareData(),
    oncall: newOnCallData(),
    contacts: newContactData(),
  };
}

export interface MemoryStore extends Store {
  samples: MemorySampleStore;
  alerts: MemoryAlertStore;
  orders: MemoryPumpDocuments<StoredOrder>;
  pumpParams: MemoryPumpDocuments<StoredPumpParams>;
  security: MemorySecurityStore;
}

/** The store port in memory (docs/storage.md#memory-store); a new, empty one unless given `data`. */
export function openMemoryStore(data: MemoryStoreData = newMemoryStoreData()): MemoryStore {
  const lifecycle = new MemoryLifecycle();
  // Data kept by a memory store from before on-call records existed has none yet.
  data.oncall ??= newOnCallData();
  const samples = new MemorySampleStore(data.samples, lifecycle);
  return {
    samples,
    alerts: new MemoryAlertStore(data.alerts, lifecycle),
    orders: new MemoryPumpDocuments<StoredOrder>(data.orders, lifecycle),
    pumpParams: new MemoryPumpDocuments<StoredPumpParams>(data.pumpParams, lifecycle),
    security: new MemorySecurityStore(data.security, lifecycle),
    care: openMemoryCareStore(data.care, lifecycle),
    oncall: openMemoryOnCallStore(data.oncall, lifecycle),
    contacts: new MemoryContactStore(data.contacts, lifecycle),
    async health() {
      // `durable: false` tells an operator reading /api/health that a restart loses everything; an
      // appended sample is visible at once, so none is ever pending.
      const figures = { kind: 'memory', durable: false, pendingSamples: 0 };
      if (lifecycle.closed) {
        return { ok: false, code: 'STORE_UNAVAILABLE', detail: 'the memory store is closed', ...figures };
      }
      return { ok: true, ...figures, samples: samples.count };
    },
    async close() {
      lifecycle.close();
    },
  };
}
