import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, pino } from 'pino';
import { AlertService } from './alerts/alert-service.js';
import { defaultEngineParams, type EngineParams, resolveParams } from './alerts/engine/params.js';
import type { EscalationPolicy } from './alerts/lifecycle.js';
import { WebhookNotifier } from './alerts/notifiers/webhook-notifier.js';
import { createSecurityServices, type SecurityServices } from './auth/security-services.js';
import { SERVER_MQTT_USERNAME } from './broker/broker-auth.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded-broker.js';
import type { ServerConfig } from './config.js';
import { buildApp } from './http/app.js';
import { bearerToken } from './http/security.js';
import { IngestStats } from './ingest/ingest-stats.js';
import { startMqttSubscriber } from './ingest/mqtt-subscriber.js';
import { TelemetryIngest } from './ingest/telemetry-ingest.js';
import { PumpMonitor } from './monitor.js';
import { PumpRegistry } from './pumps/pump-registry.js';
import { openStorage } from './store/open-storage.js';
import { WsHub } from './ws/ws-hub.js';

export interface ServerDeps {
  logger?: Logger;
  now?: () => number;
  params?: EngineParams;
}

export interface PumpwatchServer {
  /** http://host:port the API, dashboard and `/ws` listen on. */
  readonly httpUrl: string;
  /** The broker the server reads telemetry from (embedded or external). */
  readonly mqttUrl: string;
  readonly monitor: PumpMonitor;
  readonly alerts: AlertService;
  readonly stats: IngestStats;
  /** MQTT over TLS on the embedded broker, when certificates are configured. */
  readonly mqttsUrl?: string;
  /** Users, hub credentials, tokens: what in-process callers (the demo, tests) need to log in. */
  readonly security: SecurityServices;
  stop(): Promise<void>;
}

const defaultDashboardDir = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

/** The server's composition root: store, broker, ingest, alert engine, HTTP and WebSocket. */
export async function startPumpwatchServer(
  config: ServerConfig,
  deps: ServerDeps = {},
): Promise<PumpwatchServer> {
  const logger = deps.logger ?? pino({ level: config.logLevel });
  const now = deps.now ?? Date.now;
  const params: EngineParams =
    deps.params ??
    resolveParams(
      defaultEngineParams,
      { liveness: { pumpOfflineAfterMs: config.pumpOfflineAfterMs } },
      config.engine.params,
    );
  // Per-pump overrides are validated now, not at the pump's first sample.
  for (const overrides of Object.values(config.engine.pumps)) resolveParams(params, overrides);
  const policy: EscalationPolicy = {
    afterMs: {
      high: config.escalation.highAfterMs,
      medium: config.escalation.mediumAfterMs,
      low: config.escalation.lowAfterMs,
    },
    tiers: config.escalation.tiers.length,
  };

  const store = await openStorage({ dataDir: config.dataDir, config: config.store, logger, now });
  const cleanups: Array<() => Promise<void> | void> = [() => store.close()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve()
        .then(cleanup)
        .catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    }
  };

  try {
    const security = await createSecurityServices({
      config: config.auth,
      store: store.security,
      dataDir: config.dataDir,
      topicPrefix: config.mqtt.topicPrefix,
      now,
      logger,
    });
    const tls = config.tls
      ? { key: readFileSync(config.tls.keyFile), cert: readFileSync(config.tls.certFile) }
      : undefined;
    let broker: EmbeddedBroker | undefined;
    if (!config.mqtt.url) {
      broker = await startEmbeddedBroker({
        host: config.mqtt.embeddedHost,
        port: config.mqtt.embeddedPort,
        ...(security.brokerAuth ? { auth: security.brokerAuth } : {}),
        ...(tls && config.tls ? { tls: { ...tls, port: config.tls.mqttsPort } } : {}),
      });
      cleanups.push(() => broker?.close());
      logger.info({ url: broker.url }, 'embedded MQTT broker (aedes) listening');
    }
    const mqttUrl = config.mqtt.url ?? (broker as EmbeddedBroker).url;

    const stats = new IngestStats();
    const registry = new PumpRegistry(params.liveness.pumpOfflineAfterMs);
    let monitorRef: PumpMonitor | undefined;
    const wsHub = new WsHub({
      path: '/ws',
      heartbeatMs: 5000,
      now,
      snapshot: () => monitor.snapshot(),
      // Same tokens as the API: the Authorization header, or `?token=` since browsers cannot set headers on a WebSocket.
      authorize:
        security.mode === 'required'
          ? async (request) => {
              const url = new URL(request.url ?? '/', 'http://localhost');
              const token = bearerToken(request.headers.authorization) ?? url.searchParams.get('token');
              const identity = token === null ? null : await security.tokens.verify(token);
              if (!identity) return null;
              return () => identity.expiresAt > now() && !security.tokens.isRevoked(identity.jti);
            }
          : async () => () => true,
    });
    /** Alert transitions that could not be stored or notified: in /api/health. */
    let alertErrors = 0;
    const alerts = new AlertService({
      store: store.alerts,
      params,
      pumpParams: config.engine.pumps,
      policy,
      tiers: config.escalation.tiers,
      notifiers: [new WebhookNotifier(config.escalation.webhook)],
      now,
      onTransition: (transition) => {
        wsHub.broadcast({ type: 'alert', alert: transition.alert });
        monitorRef?.markDirty(transition.alert.pumpId);
        logger.info(
          {
            event: transition.type,
            alertId: transition.alert.id,
            rule: transition.alert.rule,
            actor: transition.actor,
          },
          'alert transition',
        );
      },
      onError: (error) => {
        alertErrors += 1;
        logger.error({ err: error }, 'failed to persist or notify an alert transition');
      },
    });
    const monitor = new PumpMonitor({
      registry,
      alerts,
      samples: store.samples,
      stats,
      now,
      broadcast: (frame) => wsHub.broadcast(frame),
      pumpFrameIntervalMs: 1000,
    });
    monitorRef = monitor;
    const restored = await alerts.restore(await store.orders.all(), await store.pumpParams.all());
    for (const { pumpId, error } of restored.rejectedSettings) {
      logger.error(
        { pumpId, err: error },
        'stored rule settings of this pump no longer validate: it runs on the config parameters until an admin sets them again',
      );
    }
    await monitor.restore();
    logger.info({ openAlerts: restored.openAlerts }, 'state restored from the store');

    const ingest = new TelemetryIngest(config.mqtt.topicPrefix, stats, monitor, logger, now);
    const subscriber = startMqttSubscriber({
      clientId: `pumpwatch-server-${createHash('sha256').update(resolve(config.dataDir)).digest('hex').slice(0, 12)}`,
      url: mqttUrl,
      topicPrefix: config.mqtt.topicPrefix,
      onMessage: (topic, payload) => ingest.handle(topic, payload),
      logger,
      // On the embedded broker the server logs in as itself; an external broker gets the configured user.
      ...(broker && security.brokerAuth
        ? { username: SERVER_MQTT_USERNAME, password: security.serverMqttPassword }
        : {
            ...(config.mqtt.username ? { username: config.mqtt.username } : {}),
            ...(config.mqtt.password ? { password: config.mqtt.password } : {}),
          }),
    });
    cleanups.push(() => subscriber.close());

    const app = await buildApp({
      logger,
      monitor,
      alerts,
      sampleStore: store.samples,
      alertStore: store.alerts,
      orderStore: store.orders,
      pumpParamsStore: store.pumpParams,
      now,
      dashboardDir: config.dashboardDir ?? defaultDashboardDir,
      ...(tls ? { https: tls } : {}),
      auth: {
        mode: security.mode,
        tokens: security.tokens,
        users: security.users,
        hubs: security.hubs,
        audit: security.audit,
        store: security.store,
        loginRateLimit: config.auth.loginRateLimit,
        corsOrigins: config.auth.corsOrigins,
        mosquitto: {
          topicPrefix: config.mqtt.topicPrefix,
          ...(config.mqtt.username ? { serverUser: config.mqtt.username } : {}),
          ...(config.mqtt.password ? { serverPassword: config.mqtt.password } : {}),
        },
      },
      health: {
        components: async () => ({
          ...(await store.components()),
          mqtt: {
            ok: subscriber.connected(),
            url: mqttUrl,
            embedded: broker !== undefined,
            ...(subscriber.connected()
              ? {}
              : { detail: subscriber.lastError() ?? 'not connected to the broker' }),
          },
        }),
        metrics: () => ({
          ingest: { ...stats.snapshot(), handlerErrors: ingest.handlerErrors },
          websocketClients: wsHub.clientCount,
          alertErrors,
          auth: { mode: security.mode, websocketRejected: wsHub.rejectedCount },
          ...(security.brokerAuth ? { mqttAuth: { ...security.brokerAuth.stats } } : {}),
        }),
      },
    });
    cleanups.push(() => app.close());
    await app.listen({ host: config.http.host, port: config.http.port });
    wsHub.attach(app.server);
    cleanups.push(() => wsHub.close());
    monitor.start();
    cleanups.push(() => monitor.stop());

    const { port } = app.server.address() as AddressInfo;
    const httpUrl = `${tls ? 'https' : 'http'}://${config.http.host}:${port}`;
    logger.info({ url: httpUrl }, 'pumpwatch server listening');
    return {
      httpUrl,
      mqttUrl,
      ...(broker?.tlsPort ? { mqttsUrl: `mqtts://${config.mqtt.embeddedHost}:${broker.tlsPort}` } : {}),
      monitor,
      alerts,
      stats,
      security,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
