import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { AlertService } from '../alerts/alert-service.js';
import type { AuditLog } from '../auth/audit-log.js';
import type { HubCredentials } from '../auth/hub-credentials.js';
import type { SecurityStore } from '../auth/ports.js';
import type { TokenService } from '../auth/token-service.js';
import type { UserService } from '../auth/user-service.js';
import type { PumpMonitor } from '../monitor.js';
import type { AlertStore, OrderStore, PumpParamsStore, SampleStore } from '../store/ports.js';
import { registerDashboard } from './dashboard.js';
import { rejectedRequests, sendError } from './errors.js';
import { type MosquittoConfigOptions, registerAdminRoutes } from './routes/admin.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { type HealthDeps, registerHealthRoutes } from './routes/health.js';
import { registerOrderRoutes } from './routes/orders.js';
import { registerPumpParamsRoutes } from './routes/pump-params.js';
import { registerPumpRoutes } from './routes/pumps.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerSecurity } from './security.js';

export interface AppDeps {
  logger: Logger;
  monitor: PumpMonitor;
  alerts: AlertService;
  sampleStore: SampleStore;
  alertStore: AlertStore;
  orderStore: OrderStore;
  pumpParamsStore: PumpParamsStore;
  health: HealthDeps;
  now: () => number;
  dashboardDir?: string;
  /** HTTPS with these certificates; plain HTTP without. */
  https?: { key: Buffer; cert: Buffer };
  auth: {
    mode: 'required' | 'disabled';
    tokens: TokenService;
    users: UserService;
    hubs: HubCredentials;
    audit: AuditLog;
    store: SecurityStore;
    loginRateLimit: { max: number; windowMs: number };
    corsOrigins: string[];
    mosquitto: MosquittoConfigOptions;
  };
}

/** Largest HTTP body accepted (same bound as MQTT payloads). */
const BODY_LIMIT_BYTES = 64 * 1024;

/** Builds the HTTP app; never listens (main and tests decide that). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger is what fastify wraps; its own type is the narrower FastifyBaseLogger.
  const app = Fastify({
    ...(deps.https ? { https: deps.https } : {}),
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // One log line per request would drown the alert log; errors are still logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (status === 429)
      return sendError(reply, 429, 'RATE_LIMITED', error.message || 'too many requests; retry later');
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

  // Secure headers on every response; the dashboard loads only its own scripts and styles.
  // Without TLS, helmet's upgrade-insecure-requests and HSTS would make browsers on other machines ask
  // for HTTPS that is not there, and the dashboard would never load (seen in a browser test).
  const tls = deps.https !== undefined;
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:'],
        upgradeInsecureRequests: tls ? [] : null,
      },
    },
    strictTransportSecurity: tls,
  });
  // CORS stays closed (same origin only) unless origins are configured.
  if (deps.auth.corsOrigins.length > 0) await app.register(cors, { origin: deps.auth.corsOrigins });

  const { auth } = deps;
  const security = registerSecurity(app, auth.mode, auth.tokens);
  registerHealthRoutes(app, {
    components: deps.health.components,
    metrics: () => ({ ...deps.health.metrics(), http: { rejected: rejectedRequests(app) } }),
  });
  await registerSessionRoutes(app, {
    users: auth.users,
    tokens: auth.tokens,
    audit: auth.audit,
    store: auth.store,
    loginRateLimit: auth.loginRateLimit,
  });
  registerAdminRoutes(app, {
    security,
    users: auth.users,
    hubs: auth.hubs,
    audit: auth.audit,
    store: auth.store,
    mosquitto: auth.mosquitto,
  });
  registerPumpRoutes(app, { monitor: deps.monitor, samples: deps.sampleStore });
  registerAlertRoutes(app, { alerts: deps.alerts, store: deps.alertStore, security, audit: auth.audit });
  registerOrderRoutes(app, {
    alerts: deps.alerts,
    orders: deps.orderStore,
    monitor: deps.monitor,
    now: deps.now,
    security,
    audit: auth.audit,
  });
  registerPumpParamsRoutes(app, {
    alerts: deps.alerts,
    store: deps.pumpParamsStore,
    now: deps.now,
    security,
    audit: auth.audit,
  });
  if (deps.dashboardDir) await registerDashboard(app, deps.dashboardDir);
  return app;
}
