import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { sendError } from '../http/errors.js';
import { allow } from '../http/security.js';
import type { MetricsConfig } from './config.js';
import { type MetricsListener, startMetricsListener } from './metrics-listener.js';
import type { ServerMetrics } from './ports.js';
import { SCRAPE_REFUSED_MESSAGE, scrapeAllowed } from './scrape-token.js';

export interface MetricsEndpoint {
  /** Where `/metrics` is served: `api` (the HTTP port, token required), `listen` (its own address), or `off`. */
  readonly where: 'api' | 'listen' | 'off';
  /** Opens the `metrics.listen` address when configured (the server calls it from `listen`). */
  listen(): Promise<MetricsListener | undefined>;
}

/**
 * Serves `/metrics` only where it is protected (docs/operations.md#protecting-metrics): on its own
 * address with `metrics.listen`, else on the API port when `metrics.token` is set, else nowhere. The
 * route is `public` to the session check (Prometheus has no user), and checks the scrape token itself.
 */
export function serveMetrics(
  app: FastifyInstance,
  metrics: ServerMetrics,
  config: MetricsConfig,
  logger: Logger,
): MetricsEndpoint {
  const { token, listen } = config;
  if (listen) {
    return {
      where: 'listen',
      async listen() {
        const listener = await startMetricsListener(metrics, {
          ...listen,
          ...(token ? { token } : {}),
          onError: (error) => logger.error({ err: error }, 'rendering /metrics failed'),
        });
        logger.info({ url: listener.url, token: token !== undefined }, 'metrics listening');
        return listener;
      },
    };
  }
  if (!token) {
    logger.info('GET /metrics is off: set metrics.token or metrics.listen (docs/operations.md)');
    return { where: 'off', listen: async () => undefined };
  }
  app.get('/metrics', allow('public'), async (request, reply) => {
    if (!scrapeAllowed(token, request.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, 'UNAUTHENTICATED', SCRAPE_REFUSED_MESSAGE);
    }
    const text = await metrics.render();
    return reply.header('content-type', metrics.contentType).header('cache-control', 'no-store').send(text);
  });
  return { where: 'api', listen: async () => undefined };
}
