/**
 * No column defaults that call functions and no ALTER TABLE: DuckDB 1.5 fails to replay such statements
 * from its write-ahead log after a crash ("GetDefaultDatabase with no default database set"), found by
 * test/alert-restart.test.ts. Event ids come from `nextval` in the INSERT itself.
 *
 * Embedded store schema (DuckDB; docs/decisions/0002-embedded-store-duckdb.md); alerts have a file of
 * their own (alert-database.ts). Columns carry units like
 * the protocol's field names. Samples keep the pump clock (`ts`) and the server clock (`received_at`).
 */
const SAMPLE_COLUMN_TYPES = `
     hub_id VARCHAR NOT NULL,
     pump_id VARCHAR NOT NULL,
     seq BIGINT NOT NULL,
     ts BIGINT NOT NULL,
     received_at BIGINT NOT NULL,
     state VARCHAR NOT NULL,
     rate_ml_h DOUBLE NOT NULL,
     vi_ml DOUBLE NOT NULL,
     vtbi_ml DOUBLE,
     pressure_mmhg DOUBLE,
     occlusion_limit_mmhg DOUBLE,
     battery_pct DOUBLE,
     on_battery BOOLEAN,
     alarms VARCHAR NOT NULL,
     hub_ts BIGINT,
     epoch VARCHAR`;

/** The in-memory database that new samples are appended to before they are committed. */
export const STAGING = 'pw_staging';

export const schemaStatements = [
  // `ingest_id` increases in commit order, so forwarders (InfluxDB) can read this table as their spool.
  `CREATE TABLE IF NOT EXISTS samples (${SAMPLE_COLUMN_TYPES}, ingest_id BIGINT)`,
  `CREATE TABLE IF NOT EXISTS orders (
     pump_id VARCHAR PRIMARY KEY,
     order_json VARCHAR NOT NULL
   )`,
  // Rule parameter overrides set through the API (`PUT /api/pumps/{id}/params`).
  `CREATE TABLE IF NOT EXISTS pump_params (
     pump_id VARCHAR PRIMARY KEY,
     params_json VARCHAR NOT NULL
   )`,
  // Patients, therapies, assignments and care teams (care-store.ts): one JSON document per record,
  // replaced on change, as orders are. A hundred to a few thousand records, read whole at start, so
  // they need no columns of their own; `kind` is the table of the CareStore port the record belongs to.
  `CREATE TABLE IF NOT EXISTS care_records (
     kind VARCHAR NOT NULL,
     id VARCHAR NOT NULL,
     json VARCHAR NOT NULL,
     PRIMARY KEY (kind, id)
   )`,
  // How far each forwarder has delivered (the last ingest id it has been acknowledged for).
  `CREATE TABLE IF NOT EXISTS forward_cursors (
     sink VARCHAR PRIMARY KEY,
     last_ingest_id BIGINT NOT NULL
   )`,
  // New samples land here first (in memory, no disk), then move to `samples` in one committed
  // transaction off the event loop: a DuckDB checkpoint can then never stall ingest (docs/storage.md).
  `ATTACH IF NOT EXISTS ':memory:' AS ${STAGING}`,
  `CREATE TABLE IF NOT EXISTS ${STAGING}.samples (ingest_id BIGINT NOT NULL, ${SAMPLE_COLUMN_TYPES})`,
];

/**
 * Stores made before issue #5 have no `ingest_id`: their rows get ids in insertion order. Runs only when
 * the column is missing, and is followed by a CHECKPOINT, so the ALTER never sits in the write-ahead log
 * (see the note at the top).
 */
export const ingestIdMigration = [
  `ALTER TABLE samples ADD COLUMN ingest_id BIGINT`,
  `UPDATE samples SET ingest_id = rowid + 1`,
  `CHECKPOINT`,
];

/**
 * Stores made before issue 15 have no `epoch` (the hub store's epoch, docs/protocol.md "Confirmation"):
 * their rows keep NULL, which is what a hub without epochs sends. Followed by a CHECKPOINT, as above.
 */
export const epochMigration = [`ALTER TABLE samples ADD COLUMN epoch VARCHAR`, `CHECKPOINT`];

/** Columns of `samples` besides `ingest_id` (which the staging appender writes first). */
export const sampleColumns = [
  'hub_id',
  'pump_id',
  'seq',
  'ts',
  'received_at',
  'state',
  'rate_ml_h',
  'vi_ml',
  'vtbi_ml',
  'pressure_mmhg',
  'occlusion_limit_mmhg',
  'battery_pct',
  'on_battery',
  'alarms',
  'hub_ts',
  'epoch',
] as const;
