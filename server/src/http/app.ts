import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { AlertService } from '../alerts/alert-service.js';
import type { PumpMonitor } from '../monitor.js';
import type { AlertStore, OrderStore, SampleStore } from '../store/ports.js';
import { registerDashboard } from './dashboard.js';
import { sendError } from './errors.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { type HealthDeps, registerHealthRoutes } from './routes/health.js';
import { registerOrderRoutes } from './routes/orders.js';
import { registerPumpRoutes } from './routes/pumps.js';

export interface AppDeps {
  logger: Logger;
  monitor: PumpMonitor;
  alerts: AlertService;
  sampleStore: SampleStore;
  alertStore: AlertStore;
  orderStore: OrderStore;
  health: HealthDeps;
  now: () => number;
  dashboardDir?: string;
}

/** Largest HTTP body accepted (same bound as MQTT payloads). */
const BODY_LIMIT_BYTES = 64 * 1024;

/** Builds the HTTP app; never listens (main and tests decide that). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger is what fastify wraps; its own type is the narrower FastifyBaseLogger.
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // One log line per request would drown the alert log; errors are still logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    const code =
      error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'INVALID_JSON'
        : error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'BODY_TOO_LARGE'
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'UNSUPPORTED_MEDIA_TYPE'
            : status >= 500
              ? 'INTERNAL'
              : 'BAD_REQUEST';
    return sendError(reply, status, code, status >= 500 ? 'internal error' : error.message);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
  );

  registerHealthRoutes(app, deps.health);
  registerPumpRoutes(app, { monitor: deps.monitor, samples: deps.sampleStore });
  registerAlertRoutes(app, { alerts: deps.alerts, store: deps.alertStore });
  registerOrderRoutes(app, {
    alerts: deps.alerts,
    orders: deps.orderStore,
    monitor: deps.monitor,
    now: deps.now,
  });
  if (deps.dashboardDir) await registerDashboard(app, deps.dashboardDir);
  return app;
}
