import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';
import { allow } from './security.js';

/** Serves the built dashboard at `/`; without a build, says how to make one instead of a blank page. */
export async function registerDashboard(app: FastifyInstance, dashboardDir: string): Promise<void> {
  if (existsSync(join(dashboardDir, 'index.html'))) {
    // The built files are the login page and its scripts: public. The plugin's own routes take no
    // config, so a scope of their own marks each one as it is added.
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        route.config = { ...route.config, access: 'public' };
      });
      await scope.register(fastifyStatic, { root: dashboardDir, prefix: '/', index: ['index.html'] });
    });
    return;
  }
  app.get('/', allow('public'), async (_request, reply) =>
    sendError(reply, 503, 'DASHBOARD_NOT_BUILT', 'the dashboard is not built: run `npm run build:dashboard`'),
  );
}
