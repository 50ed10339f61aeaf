import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerMetrics } from './ports.js';
import { SCRAPE_REFUSED_MESSAGE, scrapeAllowed } from './scrape-token.js';

export interface MetricsListener {
  /** http://host:port/metrics */
  readonly url: string;
  close(): Promise<void>;
}

const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

/**
 * `metrics.listen`: `/metrics` on an address of its own (a management network, or loopback beside a
 * local Prometheus), so the API port never serves it. Plain HTTP and nothing but `GET /metrics`; the
 * token, when also configured, is checked here too.
 */
export async function startMetricsListener(
  metrics: ServerMetrics,
  options: { host: string; port: number; token?: string; onError: (error: unknown) => void },
): Promise<MetricsListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(errorBody('NOT_FOUND', 'only GET /metrics is served here'));
      return;
    }
    if (!scrapeAllowed(options.token, request.headers.authorization)) {
      response.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      response.end(errorBody('UNAUTHENTICATED', SCRAPE_REFUSED_MESSAGE));
      return;
    }
    metrics.render().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        response.end(text);
      },
      (error: unknown) => {
        options.onError(error);
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(errorBody('INTERNAL', 'internal error'));
      },
    );
  });
  server.listen(options.port, options.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
