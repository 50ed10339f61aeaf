import { readFileSync } from 'node:fs';
import { apiErrorSchema } from '@pumpwatch/protocol';
import { z } from 'zod';
import type { ApiErrorCode } from '../errors.js';
import { API_ROUTES } from './api-routes.js';
import { ERROR_CODE_MEANINGS } from './error-codes.js';
import { type JsonSchema, jsonSchemaOf, parametersOf } from './json-schema.js';
import { errorsOf, openApiPath, type RouteSpec } from './route-spec.js';

export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
  tags: Array<{ name: string }>;
};

const errorCodes = Object.keys(ERROR_CODE_MEANINGS) as [ApiErrorCode, ...ApiErrorCode[]];

/** The error body with its code narrowed to the ones a response can carry: built from the protocol's. */
function errorBodyFor(codes: readonly ApiErrorCode[]): z.ZodType {
  const code = z.enum(codes as [ApiErrorCode, ...ApiErrorCode[]]);
  return apiErrorSchema.extend({ error: apiErrorSchema.shape.error.extend({ code }) });
}

function operationId(route: RouteSpec): string {
  const words = openApiPath(route.path)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  if (words.length === 0) words.push('root');
  return [route.method.toLowerCase(), ...words.map((word) => word[0]?.toUpperCase() + word.slice(1))].join(
    '',
  );
}

function describeAccess(route: RouteSpec): string {
  if (route.access !== 'public') return `Requires a session with role \`${route.access}\` or above.`;
  return route.ownCredential ? `Public to the session check; takes ${route.ownCredential}.` : 'Public.';
}

function responsesOf(route: RouteSpec): Record<string, JsonSchema> {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    if (!response) continue;
    responses[status] = {
      description: response.description,
      ...(response.schema
        ? { content: { 'application/json': { schema: jsonSchemaOf(response.schema, 'output') } } }
        : response.contentType
          ? { content: { [response.contentType]: { schema: { type: 'string' } } } }
          : {}),
    };
  }
  for (const [status, codes] of errorsOf(route)) {
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\`: ${ERROR_CODE_MEANINGS[code]}`).join('; '),
      content: { 'application/json': { schema: jsonSchemaOf(errorBodyFor(codes), 'output') } },
    };
  }
  return responses;
}

function operationOf(route: RouteSpec): JsonSchema {
  const parameters = [
    ...(route.params ? parametersOf(route.params, 'path') : []),
    ...(route.query ? parametersOf(route.query, 'query') : []),
  ];
  return {
    operationId: operationId(route),
    summary: route.summary,
    description: [describeAccess(route), route.onlyWhen ? `Served only when ${route.onlyWhen}.` : '']
      .filter(Boolean)
      .join(' '),
    tags: [route.tag],
    security: route.access === 'public' ? [] : [{ bearerAuth: [] }],
    'x-pumpwatch-access': route.access,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: jsonSchemaOf(route.body, 'input') } },
          },
        }
      : {}),
    responses: responsesOf(route),
  };
}

function packageVersion(): string {
  // server/src/openapi and server/dist/openapi alike are two folders below server/package.json.
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** The OpenAPI 3.1 document of every route in `routes` (all of them by default). */
export function buildOpenApiDocument(routes: readonly RouteSpec[] = API_ROUTES): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const operations = paths[path] ?? {};
    operations[route.method.toLowerCase()] = operationOf(route);
    paths[path] = operations;
  }
  const errorCode = z.enum(errorCodes);
  return {
    openapi: '3.1.0',
    info: {
      title: 'pumpwatch HTTP API',
      version: packageVersion(),
      description: [
        'Generated from the zod schemas the server parses with and answers by (protocol/src).',
        'Every error body is `{"error": {"code", "message", "issues"?}}`; clients match on `code`.',
        'Every GET route also answers HEAD. docs/api.md describes each route in prose.',
      ].join(' '),
    },
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: {
        ApiError: jsonSchemaOf(
          apiErrorSchema.extend({ error: apiErrorSchema.shape.error.extend({ code: errorCode }) }),
          'output',
        ),
        ErrorCode: {
          ...jsonSchemaOf(errorCode, 'output'),
          description: errorCodes.map((code) => `${code}: ${ERROR_CODE_MEANINGS[code]}`).join('\n'),
        },
      },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'The token of POST /api/login; it carries the role the route requires.',
        },
      },
    },
  };
}
