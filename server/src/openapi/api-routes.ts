import type { RouteSpec } from './route-spec.js';
import { careRoutes } from './routes-care.js';
import { onCallRoutes } from './routes-oncall.js';
import { opsRoutes } from './routes-ops.js';
import { pagingRoutes } from './routes-paging.js';
import { alertRoutes, pumpRoutes } from './routes-pumps.js';
import { adminRoutes, sessionRoutes } from './routes-session.js';

/**
 * Every HTTP route of the server. server/test/openapi-routes.test.ts fails when the app registers a
 * route that is not here (or this lists one the app does not have), so a new route needs an entry.
 */
export const API_ROUTES: readonly RouteSpec[] = [
  ...opsRoutes,
  ...sessionRoutes,
  ...adminRoutes,
  ...pumpRoutes,
  ...alertRoutes,
  ...careRoutes,
  ...onCallRoutes,
  ...pagingRoutes,
];
