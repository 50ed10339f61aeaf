import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../src/config.js';
import { declaredRoutes } from '../src/http/security.js';
import { API_ROUTES } from '../src/openapi/api-routes.js';
import { buildOpenApiDocument } from '../src/openapi/build-document.js';
import { ERROR_CODE_MEANINGS } from '../src/openapi/error-codes.js';
import { missingRoutes, undocumentedRoutes } from '../src/openapi/route-coverage.js';
import { openApiPath } from '../src/openapi/route-spec.js';
import { type BuiltServer, buildServer } from '../src/server.js';

/**
 * The OpenAPI document against the app itself: every route fastify registers is in the document with
 * the access the route declares, and the document is structurally OpenAPI 3.1. The integration suite
 * (test/openapi-responses.test.ts) checks real answers against its schemas.
 */

const dirs: string[] = [];
const servers: BuiltServer[] = [];

async function build(options: { dashboardDir?: string } = {}): Promise<BuiltServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pumpwatch-openapi-'));
  dirs.push(dataDir);
  const config = parseServerConfig({
    dataDir,
    store: { kind: 'memory' },
    auth: { mode: 'required', adminUser: 'openapi-admin', adminPassword: 'correct horse battery staple' },
    // With a token, /metrics is served on the API port: the widest set of routes.
    metrics: { token: 'x'.repeat(40) },
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
  });
  const server = await buildServer(config, { logger: pino({ level: 'silent' }) });
  servers.push(server);
  return server;
}

afterAll(async () => {
  for (const server of servers) await server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the OpenAPI document covers every route', () => {
  it('lists every route the app registers, and no route it does not (built dashboard)', async () => {
    const server = await build();
    const registered = declaredRoutes(server.app);
    expect(registered.length).toBeGreaterThan(60);
    expect(undocumentedRoutes(registered, API_ROUTES)).toEqual([]);
    // The unbuilt dashboard's `GET /` is the one route this app cannot have.
    expect(missingRoutes(registered, API_ROUTES)).toEqual(['GET /']);
  });

  it('lists the unbuilt dashboard’s GET / too', async () => {
    const emptyDashboard = mkdtempSync(join(tmpdir(), 'pumpwatch-no-dashboard-'));
    dirs.push(emptyDashboard);
    const server = await build({ dashboardDir: emptyDashboard });
    const registered = declaredRoutes(server.app);
    expect(undocumentedRoutes(registered, API_ROUTES)).toEqual([]);
    expect(missingRoutes(registered, API_ROUTES)).toEqual(['GET /*']);
  });

  it('gives each route the access the route itself declares', async () => {
    const server = await build();
    const declared = new Map(
      declaredRoutes(server.app).map((route) => [`${route.method} ${route.url}`, route]),
    );
    const mismatched = API_ROUTES.filter((spec) => {
      const route = declared.get(`${spec.method} ${spec.path}`);
      return route !== undefined && route.access !== spec.access;
    }).map((spec) => `${spec.method} ${spec.path}: document ${spec.access}`);
    expect(mismatched).toEqual([]);
  });

  it('notices a route that is not in the document', () => {
    const registered = [
      { method: 'GET', url: '/api/health' },
      { method: 'HEAD', url: '/api/health' },
      { method: 'POST', url: '/api/new-thing' },
    ];
    expect(undocumentedRoutes(registered, API_ROUTES)).toEqual(['POST /api/new-thing']);
    expect(missingRoutes(registered, API_ROUTES.slice(0, 1))).toEqual([]);
  });
});

describe('the OpenAPI document itself', () => {
  const document = buildOpenApiDocument();
  const operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })),
  );

  it('is OpenAPI 3.1 with info, paths and components', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.title).toMatch(/pumpwatch/);
    expect(document.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['ApiError', 'ErrorCode']),
    );
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(operations).toHaveLength(API_ROUTES.length);
    for (const { path, method, operation } of operations) {
      expect(['get', 'post', 'put', 'delete']).toContain(method);
      expect(Object.keys(operation.responses as object).length, `${method} ${path}`).toBeGreaterThan(0);
    }
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('declares every path parameter of a path, and no other', () => {
    for (const { path, method, operation } of operations) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      const declared = ((operation.parameters ?? []) as Array<{ name: string; in: string }>)
        .filter((parameter) => parameter.in === 'path')
        .map((parameter) => parameter.name)
        .sort();
      // The dashboard's `{file}` is fastify's wildcard, not a named parameter.
      if (path === '/{file}') continue;
      expect(declared, `${method} ${path}`).toEqual(inPath);
    }
  });

  it('says who may call each route: a bearer session with a role, or public', () => {
    for (const spec of API_ROUTES) {
      const operation = document.paths[openApiPath(spec.path)]?.[spec.method.toLowerCase()];
      expect(operation?.['x-pumpwatch-access']).toBe(spec.access);
      expect(operation?.security).toEqual(spec.access === 'public' ? [] : [{ bearerAuth: [] }]);
      const responses = operation?.responses as Record<string, unknown>;
      if (spec.access !== 'public') expect(Object.keys(responses)).toContain('401');
    }
  });

  it('names every error code of the API', () => {
    const listed = new Set((document.components.schemas.ErrorCode as { enum: string[] }).enum);
    expect([...listed].sort()).toEqual(Object.keys(ERROR_CODE_MEANINGS).sort());
    const text = JSON.stringify(document.paths);
    // Every code a route can answer is in some response; ACCESS_UNDECLARED only ever meets a route bug.
    const unused = [...listed].filter((code) => code !== 'ACCESS_UNDECLARED' && !text.includes(`"${code}"`));
    expect(unused).toEqual([]);
  });
});
