import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect) through zod's own `z.toJSONSchema`.
 * `input` for what a client sends (defaults optional, coercions as their target type), `output` for
 * what the server answers. Refinements (an IANA time zone, from ≤ to) are checks JSON Schema cannot
 * express: they are left out, the server still applies them. A transform's result is shown as any value.
 */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const converted = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  const { $schema: _dialect, ...rest } = converted;
  // Local `$defs` (recursive or registered schemas) would be resolved against the document's root once
  // embedded in it: refuse them here, where a schema that needs them is added, rather than ship bad refs.
  if ('$defs' in rest) throw new Error('a route schema needs $defs; hoist it into components first');
  return rest;
}

/** Each property of an object schema as an OpenAPI parameter (`in: path` or `query`). */
export function parametersOf(schema: z.ZodType, location: 'path' | 'query'): JsonSchema[] {
  const converted = jsonSchemaOf(schema, 'input');
  const properties = (converted.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((converted.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: property,
  }));
}
