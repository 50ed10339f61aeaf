import { z } from 'zod';
import { SAMPLE_MEASUREMENT } from './influx/line-protocol.js';

/**
 * InfluxDB as the production time-series store (docs/storage.md). `database` selects the 1.x API
 * (`/write?db=&rp=`, Basic credentials); `bucket` + `org` select the v2 write API (token).
 */
export const influxConfigSchema = z
  .object({
    url: z.string().url(),
    database: z.string().min(1).optional(),
    retentionPolicy: z.string().min(1).optional(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    org: z.string().min(1).optional(),
    bucket: z.string().min(1).optional(),
    token: z.string().min(1).optional(),
    measurement: z.string().min(1).default(SAMPLE_MEASUREMENT),
    /** Samples per write request. */
    batchSize: z.coerce.number().int().min(1).max(50_000).default(10_000),
    timeoutMs: z.coerce.number().int().positive().default(10_000),
    /** Longest wait between retries while InfluxDB is failing. */
    retryMaxMs: z.coerce.number().int().positive().default(10_000),
    /** Request bodies larger than this many bytes are gzipped. */
    gzipThreshold: z.coerce.number().int().nonnegative().default(1_000_000_000),
  })
  .superRefine((influx, ctx) => {
    const v1 = influx.database !== undefined;
    const v2 = influx.bucket !== undefined;
    if (v1 === v2) {
      ctx.addIssue({
        code: 'custom',
        path: ['database'],
        message: 'set either database (InfluxDB 1.x API) or bucket and org (v2 write API), not both',
      });
    }
    if (v2 && influx.org === undefined) {
      ctx.addIssue({ code: 'custom', path: ['org'], message: 'the v2 write API needs org with bucket' });
    }
    if (v1 && (influx.org !== undefined || influx.token !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'org and token belong to the v2 API; InfluxDB 1.x takes username and password',
      });
    }
    if (v2 && (influx.username !== undefined || influx.retentionPolicy !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['username'],
        message: 'username and retentionPolicy belong to the 1.x API; the v2 API takes a token',
      });
    }
  });
export type InfluxConfig = z.infer<typeof influxConfigSchema>;

export const storeConfigSchema = z
  .object({
    /**
     * `duckdb`: the embedded store on disk (docs/storage.md). `memory`: everything in the server's memory
     * (store/memory/), for tests and demos: NOTHING SURVIVES A RESTART (samples, alerts and their events,
     * orders, users, hub credentials, the audit log), and it cannot forward to InfluxDB.
     */
    kind: z.enum(['duckdb', 'memory']).default('duckdb'),
    /** Samples are kept this many days after the server received them (retention horizon). */
    retentionDays: z.coerce.number().positive().default(30),
    /** How often retention runs. */
    retentionIntervalMs: z.coerce.number().int().positive().default(3_600_000),
    /** Group commit interval of the embedded store: the most that a SIGKILL can lose unacknowledged. */
    flushIntervalMs: z.coerce.number().int().min(10).max(5000).default(100),
    /** Unset: the embedded store only. */
    influx: influxConfigSchema.optional(),
  })
  .superRefine((store, ctx) => {
    // The forwarder reads the store as its durable spool; in memory, a restart would drop the backlog.
    if (store.kind === 'memory' && store.influx !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['influx'],
        message: 'InfluxDB forwarding needs the durable embedded store (kind duckdb), not kind memory',
      });
    }
  });
export type StoreConfig = z.infer<typeof storeConfigSchema>;

const influxEnv: Record<string, string> = {
  PUMPWATCH_INFLUX_URL: 'url',
  PUMPWATCH_INFLUX_DATABASE: 'database',
  PUMPWATCH_INFLUX_RETENTION_POLICY: 'retentionPolicy',
  PUMPWATCH_INFLUX_USERNAME: 'username',
  PUMPWATCH_INFLUX_PASSWORD: 'password',
  PUMPWATCH_INFLUX_ORG: 'org',
  PUMPWATCH_INFLUX_BUCKET: 'bucket',
  PUMPWATCH_INFLUX_TOKEN: 'token',
};

/** Overlays the store's environment variables (docs/configuration.md) on the `store` section of a file. */
export function storeConfigFromEnv(fileSection: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const store = { ...(fileSection as Record<string, unknown> | undefined) };
  if (env.PUMPWATCH_RETENTION_DAYS) store.retentionDays = env.PUMPWATCH_RETENTION_DAYS;
  const influx = { ...(store.influx as Record<string, unknown> | undefined) };
  let influxSet = store.influx !== undefined;
  for (const [name, key] of Object.entries(influxEnv)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    influx[key] = value;
    influxSet = true;
  }
  if (influxSet) store.influx = influx;
  return store;
}
