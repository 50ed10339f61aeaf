import { z } from 'zod';

/** End-to-end confirmation to the hubs (docs/protocol.md, "Confirmation"). */
export const confirmConfigSchema = z
  .object({
    /**
     * At most one `committed` message per hub this often. Each message carries all of the hub's pumps,
     * so this bounds the server's outbound messages (hubs × 5 a second by default) whatever the rate.
     */
    minIntervalMs: z.coerce.number().int().min(0).max(60_000).default(200),
  })
  .prefault({});

/**
 * An outbound dead man's switch (docs/operations.md): `url` is fetched every `intervalMs` while ingest
 * and the alert engine are healthy, so a service outside this machine can alarm when the pings stop.
 */
export const heartbeatConfigSchema = z
  .object({
    url: z.string().url().optional(),
    intervalMs: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
    timeoutMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** The engine counts as stuck when its tick has not run for this long. */
    maxTickAgeMs: z.coerce.number().int().min(1000).max(600_000).default(10_000),
  })
  .prefault({});
