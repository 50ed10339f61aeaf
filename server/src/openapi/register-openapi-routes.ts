import type { FastifyInstance } from 'fastify';
import { allow } from '../http/security.js';
import { buildOpenApiDocument, type OpenApiDocument } from './build-document.js';
import { renderDocsPage } from './docs-page.js';

/**
 * `GET /api/openapi.json` and `GET /api/docs`: public, since they describe the API and hold no data.
 * Built at the first request and kept: the routes and schemas do not change while the server runs.
 */
export function registerOpenApiRoutes(app: FastifyInstance): void {
  let document: OpenApiDocument | undefined;
  let page: string | undefined;
  const built = () => {
    document ??= buildOpenApiDocument();
    return document;
  };
  app.get('/api/openapi.json', allow('public'), async () => built());
  app.get('/api/docs', allow('public'), async (_request, reply) => {
    page ??= renderDocsPage(built());
    return reply.header('content-type', 'text/html; charset=utf-8').send(page);
  });
}
