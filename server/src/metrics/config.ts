import { isIP } from 'node:net';
import { z } from 'zod';

/** `host:port` (`[::1]:9464` for IPv6) → its parts; undefined when it is not one. */
export function parseListenAddress(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const host = match[1] ?? match[2] ?? '';
  if (match[1] !== undefined && isIP(host) !== 6) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host, port };
}

const listenSchema = z
  .string()
  .transform((text, context) => {
    const address = parseListenAddress(text);
    if (address) return address;
    context.addIssue({ code: 'custom', message: 'host:port, e.g. 127.0.0.1:9464 or [::1]:9464' });
    return z.NEVER;
  })
  .or(z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65535) }));

/**
 * `GET /metrics` (docs/operations.md). It is served only when protected: with `token`, every scrape
 * must bring it as `Authorization: Bearer <token>`; with `listen`, it is served on that address only
 * (a management network, or loopback beside a local Prometheus) and not on the API port. Both may be
 * set. With neither, `/metrics` is not served at all.
 */
export const metricsConfigSchema = z
  .object({
    /** The scrape secret; as long as the other secrets (`auth.tokenSecret`), compared in constant time. */
    token: z.string().min(32, 'at least 32 characters').optional(),
    listen: listenSchema.optional(),
  })
  .prefault({});
export type MetricsConfig = z.infer<typeof metricsConfigSchema>;

/** `PUMPWATCH_METRICS_TOKEN`, `PUMPWATCH_METRICS_LISTEN` over the file's `metrics` section. */
export function metricsConfigFromEnv(fileSection: unknown, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const metrics: Record<string, unknown> = { ...(fileSection as object | undefined) };
  if (env.PUMPWATCH_METRICS_TOKEN) metrics.token = env.PUMPWATCH_METRICS_TOKEN;
  if (env.PUMPWATCH_METRICS_LISTEN) metrics.listen = env.PUMPWATCH_METRICS_LISTEN;
  return metrics;
}
