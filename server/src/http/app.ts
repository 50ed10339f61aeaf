import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import type { AuditLog } from '../auth/audit-log.js';
import type { HubCredentials } from '../auth/hub-credentials.js';
import type { SecurityStore } from '../auth/ports.js';
import type { TokenService } from '../auth/token-service.js';
import type { UserService } from '../auth/user-service.js';
import type { CareService } from '../care/care-service.js';
import { registerCareRoutes } from '../care/routes.js';
import type { OnCallService } from '../oncall/oncall-service.js';
import { registerOnCallRoutes } from '../oncall/routes.js';
import { registerOpenApiRoutes } from '../openapi/register-openapi-routes.js';
import { registerPagingEngineRoutes } from '../paging/engine-routes.js';
import type { PagingService } from '../paging/paging-service.js';
import { type PagingRouteDeps, registerPagingRoutes } from '../paging/routes.js';
import type { AlertStore, SampleStore } from '../store/ports.js';
import type { WardShell } from '../ward/ward-shell.js';
import { registerDashboard } from './dashboard.js';
import { rejectedRequests, sendError } from './errors.js';
import { type MosquittoConfigOptions, registerAdminRoutes } from './routes/admin.js';
import { registerAlertRoutes } from './routes/alerts.js';
import { type HealthDeps, registerHealthRoutes } from './routes/health.js';
import { registerOrderRoutes } from './routes/orders.js';
import { registerPumpOwnerRoutes } from './routes/pump-owner.js';
import { registerPumpParamsRoutes } from './routes/pump-params.js';
import { registerPumpRoutes } from './routes/pumps.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerSecurity } from './security.js';

export interface AppDeps {
  logger: Logger;
  /** Pumps, alerts, orders and rule settings: every read and every change goes through the ward. */
  ward: WardShell;
  /** Patients, therapies, assignments and care teams (docs/care.md). */
  care: CareService;
  /** Rotations, overrides, escalation policies, calendar feeds (docs/oncall.md); absent: no routes. */
  oncall?: OnCallService;
  /** Devices, contact details, ack by token, the SMS gateway's ack (docs/paging.md); absent: no routes. */
  paging?: Omit<PagingRouteDeps, 'ward' | 'users' | 'audit' | 'now'>;
  /** The paging engine: test pages and an alert's escalation path; absent: no routes. */
  pager?: PagingService;
  sampleStore: SampleStore;
  alertStore: AlertStore;
  health: HealthDeps;
  now: () => number;
  dashboardDir?: string;
  /** HTTPS with these certificates; plain HTTP without. */
  https?: { key: Buffer; cert: Buffer };
  /** Proxies whose X-Forwarded-For gives the client's address (`http.trustProxy`); none when absent. */
  trustProxy?: boolean | string[];
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

function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
}

/** Builds the HTTP app; never listens (main and tests decide that). */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // pino's Logger is what fastify wraps; its own type is the narrower FastifyBaseLogger.
  const app = Fastify({
    ...(deps.https ? { https: deps.https } : {}),
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: deps.trustProxy ?? false,
    // One log line per request would drown the alert log; errors are still logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
  }) as unknown as FastifyInstance;

  app.setErrorHandler((error: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    // @fastify/static refuses a path that climbs out of its root (`..`, a NUL byte, `//`) with 403: to the
    // caller that is a file that is not here, like any other, and says nothing about the API behind it.
    if (error.code === 'FST_STATIC_FORBIDDEN_PATH' || (status === 403 && error.code === undefined))
      return notFound(request, reply);
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
  app.setNotFoundHandler(notFound);

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
  const security = registerSecurity(app, auth.mode, auth.tokens, auth.users);
  registerHealthRoutes(app, {
    components: deps.health.components,
    metrics: () => ({ ...deps.health.metrics(), http: { rejected: rejectedRequests(app) } }),
  });
  registerOpenApiRoutes(app);
  await registerSessionRoutes(app, {
    users: auth.users,
    tokens: auth.tokens,
    audit: auth.audit,
    store: auth.store,
    loginRateLimit: auth.loginRateLimit,
    now: deps.now,
  });
  registerAdminRoutes(app, {
    security,
    users: auth.users,
    hubs: auth.hubs,
    audit: auth.audit,
    store: auth.store,
    mosquitto: auth.mosquitto,
  });
  const { ward } = deps;
  registerPumpRoutes(app, { ward, samples: deps.sampleStore });
  registerAlertRoutes(app, { ward, store: deps.alertStore, security, audit: auth.audit });
  registerOrderRoutes(app, { ward, care: deps.care, now: deps.now, audit: auth.audit });
  registerCareRoutes(app, { care: deps.care });
  if (deps.oncall) registerOnCallRoutes(app, { oncall: deps.oncall });
  if (deps.paging)
    registerPagingRoutes(app, { ...deps.paging, ward, users: auth.users, audit: auth.audit, now: deps.now });
  if (deps.pager)
    registerPagingEngineRoutes(app, {
      pager: deps.pager,
      oncall: deps.pager.answers,
      audit: auth.audit,
      now: deps.now,
    });
  registerPumpParamsRoutes(app, { ward, now: deps.now, audit: auth.audit });
  registerPumpOwnerRoutes(app, { ward, security, audit: auth.audit, store: auth.store });
  if (deps.dashboardDir) await registerDashboard(app, deps.dashboardDir);
  return app;
}
