import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewayStatus } from './gateway.js';
import { gatewayMetrics, METRICS_CONTENT_TYPE } from './metrics.js';
import { statusPage } from './status-page.js';

export interface StatusServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The hub's local status endpoint: `GET /` a page for people (status-page.ts), `GET /status` returns the gateway status as JSON (each pump's link,
 * driver figures, last seq and reading; outbox depth, in flight and dropped; last publish), and
 * `GET /metrics` the same figures for Prometheus, counted without a pump's name (metrics.ts). Read
 * only, no authentication, so it listens on loopback unless configured otherwise.
 */
export async function startStatusServer(
  status: () => GatewayStatus,
  options: { host: string; port: number },
): Promise<StatusServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/metrics') {
      response.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' });
      response.end(gatewayMetrics(status()));
      return;
    }
    if (request.method === 'GET' && path === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(statusPage(status()));
      return;
    }
    if (request.method !== 'GET' || path !== '/status') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'GET /status or GET /metrics' } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(status(), null, 2));
  });
  server.listen(options.port, options.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error;
    }),
  ]);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/status`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
