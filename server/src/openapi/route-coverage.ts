import type { RouteSpec } from './route-spec.js';

export interface RegisteredRoute {
  method: string;
  url: string;
}

const key = (method: string, url: string) => `${method.toUpperCase()} ${url}`;

/**
 * Routes the app registered that the document does not describe, as `METHOD url`. HEAD is left out:
 * fastify adds one to every GET (the document says so once, in its description).
 */
export function undocumentedRoutes(
  registered: readonly RegisteredRoute[],
  specs: readonly RouteSpec[],
): string[] {
  const documented = new Set(specs.map((spec) => key(spec.method, spec.path)));
  return [
    ...new Set(
      registered
        .filter((route) => route.method.toUpperCase() !== 'HEAD')
        .map((route) => key(route.method, route.url))
        .filter((route) => !documented.has(route)),
    ),
  ].sort();
}

/** Routes the document describes that the app did not register (`onlyWhen` ones may be absent). */
export function missingRoutes(registered: readonly RegisteredRoute[], specs: readonly RouteSpec[]): string[] {
  const present = new Set(registered.map((route) => key(route.method, route.url)));
  return specs
    .map((spec) => key(spec.method, spec.path))
    .filter((route) => !present.has(route))
    .sort();
}
