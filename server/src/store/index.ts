/**
 * `@pumpwatch/server/store`: the storage port, its adapters and their composition, for scripts and the
 * integration tier that open a store of their own.
 */
export type { AuditEntry, AuditQuery, SecurityStore, StoredHub, StoredUser } from '../auth/ports.js';
export type { CareStore, CareTable } from '../care/ports.js';
export { type InfluxConfig, influxConfigSchema, type StoreConfig, storeConfigSchema } from './config.js';
export type { DuckDbCareStore } from './duckdb/care-store.js';
export { type DuckDbStore, type DuckDbStoreOptions, openDuckDbStore } from './duckdb/open-duckdb-store.js';
export {
  type MemoryStorageOptions,
  openMemoryStorage,
} from './memory/open-memory-storage.js';
export {
  type MemoryStore,
  type MemoryStoreData,
  newMemoryStoreData,
  openMemoryStore,
} from './memory/open-memory-store.js';
export { openStorage, type Storage, type StorageOptions } from './open-storage.js';
export type {
  AlertEvent,
  AlertFilter,
  AlertStore,
  BucketQuery,
  ComponentHealth,
  OrderStore,
  PumpParamsStore,
  SampleQuery,
  SampleStore,
  Store,
  StoredPumpParams,
  StoredSample,
} from './ports.js';
export type { BadRowHandler } from './quarantine.js';
