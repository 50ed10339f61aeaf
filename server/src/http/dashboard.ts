import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';

/** Serves the built dashboard at `/`; without a build, says how to make one instead of a blank page. */
export async function registerDashboard(app: FastifyInstance, dashboardDir: string): Promise<void> {
  if (existsSync(join(dashboardDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: dashboardDir, prefix: '/', index: ['index.html'] });
    return;
  }
  app.get('/', async (_request, reply) =>
    sendError(reply, 503, 'DASHBOARD_NOT_BUILT', 'the dashboard is not built: run `npm run build:dashboard`'),
  );
}
