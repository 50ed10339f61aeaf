import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { defaultEngineParams, type EngineParams, resolveParams } from './alerts/engine/params.js';
import type { EscalationPolicy } from './alerts/lifecycle.js';
import { createSecurityServices, type SecurityServices } from './auth/security-services.js';
import { SERVER_MQTT_USERNAME } from './broker/broker-auth.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './broker/embedded-broker.js';
import { serverClientId } from './broker/server-client-id.js';
import { CareService } from './care/care-service.js';
import { redactFrame } from './care/redact.js';
import type { ServerConfig } from './config.js';
import { composeConfirmation } from './confirm/compose-confirmation.js';
import { InternalErrors } from './guard.js';
import { buildApp } from './http/app.js';
import { type DeclaredRoute, declaredRoutes } from './http/security.js';
import { IngestStats } from './ingest/ingest-stats.js';
import { type MqttSubscriber, startMqttSubscriber } from './ingest/mqtt-subscriber.js';
import { TelemetryIngest } from './ingest/telemetry-ingest.js';
import { serveMetrics } from './metrics/serve-metrics.js';
import { createServerMetrics } from './metrics/server-metrics.js';
import { OnCallService } from './oncall/oncall-service.js';
import type { Channel } from './paging/channels/channel.js';
import { openPagingChannels, type PagingChannels } from './paging/channels/open-paging-channels.js';
import { composePaging } from './paging/compose-paging.js';
import type { PagingService } from './paging/paging-service.js';
import { openStorage, type Storage } from './store/open-storage.js';
import { Quarantine } from './store/quarantine.js';
import { composeWard } from './ward/compose-ward.js';
import type { WardShell } from './ward/ward-shell.js';
import { websocketAuthorizer } from './ws/authorize.js';
import { WsHub } from './ws/ws-hub.js';

export interface ServerDeps {
  logger?: Logger;
  /** Channels to a person in place of the configured ones (tests count what would be sent). */
  channels?: Channel[];
  now?: () => number;
  params?: EngineParams;
}

/** Everything the server is made of, built and restored but not listening: route tests `inject` here. */
export interface BuiltServer {
  readonly app: FastifyInstance;
  readonly ward: WardShell;
  readonly stats: IngestStats;
  readonly security: SecurityServices;
  readonly storage: Storage;
  /** Who is on call and whom each escalation step pages (docs/oncall.md): the paging engine asks here. */
  readonly oncall: OnCallService;
  /** Push, email and SMS gateway channels, contacts and ack tokens (docs/paging.md). */
  readonly paging: PagingChannels;
  /** Patients, therapies, assignments, teams and planned pauses (docs/care.md). */
  readonly care: CareService;
  /** The paging engine (docs/paging.md#escalation). */
  readonly pager: PagingService;
  /** Starts the broker (if embedded), the MQTT client, HTTP, `/ws` and the ward's timers. */
  listen(): Promise<PumpwatchServer>;
  /** Closes what was built (and, after `listen`, what it started). */
  close(): Promise<void>;
}

export interface PumpwatchServer {
  /** http://host:port the API, dashboard and `/ws` listen on. */
  readonly httpUrl: string;
  /** The broker the server reads telemetry from (embedded or external). */
  readonly mqttUrl: string;
  /** The ward: pumps, alerts and the actions on them, as the API sees them. */
  readonly ward: WardShell;
  readonly stats: IngestStats;
  /** MQTT over TLS on the embedded broker, when certificates are configured. */
  readonly mqttsUrl?: string;
  /** Users, hub credentials, tokens: what in-process callers (the demo, tests) need to log in. */
  readonly security: SecurityServices;
  /** Patients, therapies, assignments and care teams, for in-process callers (the demo). */
  readonly care: CareService;
  /** Paging channels, for the paging engine and in-process callers (tests). */
  readonly paging: PagingChannels;
  /** The paging engine: walks each alert along its team's escalation policy (docs/paging.md). */
  readonly pager: PagingService;
  /** Rotations, overrides and escalation policies (docs/oncall.md), for in-process callers (the demo). */
  readonly oncall: OnCallService;
  /** Every HTTP route and the access it declares (the adversarial tests enumerate them). */
  readonly httpRoutes: () => readonly DeclaredRoute[];
  stop(): Promise<void>;
}

const defaultDashboardDir = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

/** Builds, restores and starts the server: `buildServer(...).listen()`. */
export async function startPumpwatchServer(
  config: ServerConfig,
  deps: ServerDeps = {},
): Promise<PumpwatchServer> {
  return (await buildServer(config, deps)).listen();
}

/**
 * The server's composition root: store, security, the ward (core, shell, bus and its listeners) and the
 * HTTP app, restored from the store, without opening any listener or timer.
 */
export async function buildServer(config: ServerConfig, deps: ServerDeps = {}): Promise<BuiltServer> {
  const logger = deps.logger ?? pino({ level: config.logLevel });
  const now = deps.now ?? Date.now;
  const params = engineParams(config, deps.params);

  // Timers' and listeners' exceptions, contained and counted (`internalErrors` in /api/health, issue #11).
  const internalErrors = new InternalErrors(logger);
  const onError = internalErrors.note.bind(internalErrors);
  const store = await openStorage({ dataDir: config.dataDir, config: config.store, logger, now, onError });
  const cleanups: Array<() => Promise<void> | void> = [() => store.close()];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
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
    const stats = new IngestStats();
    /** Alert transitions that could not be stored or notified: in /api/health. */
    let alertErrors = 0;
    const ward = composeWard({
      params,
      pumpParams: config.engine.pumps,
      policy: escalationPolicy(config),
      store,
      stats,
      now,
      logger,
      onError,
      onAlertError: (error) => {
        alertErrors += 1;
        logger.error({ err: error }, 'failed to persist or notify an alert transition');
      },
      pumpFrameIntervalMs: 1000,
    });
    const wsHub = new WsHub({
      path: '/ws',
      heartbeatMs: 5000,
      onError,
      now,
      snapshot: () => ward.shell.snapshot(),
      authorize: websocketAuthorizer(security, now),
      redact: redactFrame,
    });
    const pumpFrames = ward.attachBroadcast((frame) => wsHub.broadcast(frame));

    // A stored record that fails its schema or its restore is skipped and counted, never fatal.
    const quarantine = new Quarantine(logger);
    const restored = await ward.shell.restore(quarantine);
    for (const { pumpId, error } of restored.rejectedSettings) {
      logger.error(
        { pumpId, err: error },
        'stored rule settings of this pump no longer validate: it runs on the config parameters until an admin sets them again',
      );
    }
    const care = new CareService({ store: store.care, audit: security.audit, ward: ward.shell, now });
    // The orders the ward restored: one quarantined there is neither counted again nor migrated.
    await care.restore(quarantine, restored.orders);
    const oncall = new OnCallService({
      store: store.oncall,
      audit: security.audit,
      teams: care.directory,
      escalation: config.escalation,
      now,
      acceptsCredential: (username, issuedAt) => security.users.acceptsSession(username, issuedAt),
    });
    await oncall.restore(quarantine);
    logger.info(
      { openAlerts: restored.openAlerts, quarantined: quarantine.snapshot() },
      'state restored from the store',
    );

    const paging = await openPagingChannels({
      config: config.paging,
      store: store.contacts,
      audit: security.audit,
      now,
    });
    cleanups.push(() => paging.close());
    // Prometheus metrics (docs/operations.md): pages are counted where the engine calls its channels.
    const metrics = createServerMetrics({ now });
    const pagingChannels = deps.channels ? { ...paging, channels: deps.channels } : paging;
    const pager = await composePaging({
      config,
      store,
      ward,
      care,
      oncall,
      channels: { ...pagingChannels, channels: pagingChannels.channels.map(metrics.instrumentChannel) },
      wrapWebhooks: metrics.instrumentWebhooks,
      security,
      quarantine,
      now,
      onError,
    });

    // Set by `listen`: until then the health check says the broker is not connected.
    let broker: EmbeddedBroker | undefined;
    let subscriber: MqttSubscriber | undefined;
    const confirmation = composeConfirmation({
      confirm: config.confirm,
      heartbeat: config.heartbeat,
      topicPrefix: config.mqtt.topicPrefix,
      samples: store.samples,
      restored: restored.seqs,
      hubOf: (pumpId) => ward.shell.view(pumpId)?.hubId,
      now,
      logger,
      onError,
      healthy: async () => {
        if (!subscriber?.connected()) return { ok: false, reason: 'not connected to the broker' };
        const tickAt = ward.shell.lastTickAt;
        if (tickAt === null || now() - tickAt > config.heartbeat.maxTickAgeMs)
          return { ok: false, reason: 'the alert engine has not ticked' };
        const failing = Object.entries(await store.components()).find(([, component]) => !component.ok);
        return failing ? { ok: false, reason: `${failing[0]} not ok` } : { ok: true };
      },
    });
    const ingest = new TelemetryIngest(
      config.mqtt.topicPrefix,
      stats,
      confirmation.handlers(ward.shell),
      logger,
      now,
    );
    const mqttUrl = () => config.mqtt.url ?? broker?.url ?? 'not started';

    const app = await buildApp({
      logger,
      ward: ward.shell,
      care,
      oncall,
      pager: pager.service,
      paging: {
        contacts: paging.contacts,
        vapidPublicKey: paging.vapid.publicKey,
        ackTokens: paging.ackTokens,
        allowLoopbackEndpoints: config.paging.push.allowLoopbackEndpoints,
        publicRateLimit: config.paging.publicRateLimit,
        ...(config.paging.smsWebhook?.inboundToken
          ? { gatewayInboundToken: config.paging.smsWebhook.inboundToken }
          : {}),
        wasPaged: (alertId, username) => pager.service.pagedTo(alertId, username),
        onReceipt: async (report) => {
          for (const listener of paging.receiptListeners) await listener(report);
        },
      },
      sampleStore: store.samples,
      alertStore: store.alerts,
      now,
      dashboardDir: config.dashboardDir ?? defaultDashboardDir,
      ...(tls ? { https: tls } : {}),
      trustProxy: config.http.trustProxy,
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
            ok: subscriber?.connected() ?? false,
            url: mqttUrl(),
            embedded: !config.mqtt.url,
            ...(subscriber?.connected()
              ? {}
              : { detail: subscriber?.lastError() ?? 'not connected to the broker' }),
          },
        }),
        metrics: () => ({
          ingest: { ...stats.snapshot(), handlerErrors: ingest.handlerErrors },
          websocketClients: wsHub.clientCount,
          websocketDropped: wsHub.dropCounts,
          alertErrors,
          paging: pager.service.snapshot(),
          confirmation: confirmation.service.snapshot(),
          ...(confirmation.heartbeat ? { heartbeat: confirmation.heartbeat.snapshot() } : {}),
          internalErrors: internalErrors.snapshot(),
          quarantined: quarantine.snapshot(),
          auth: { mode: security.mode, websocketRejected: wsHub.rejectedCount },
          ...(security.brokerAuth ? { mqttAuth: { ...security.brokerAuth.stats } } : {}),
          ...(broker ? { mqttBroker: { ...broker.stats } } : {}),
        }),
      },
    });
    cleanups.push(() => app.close());
    // Read at each scrape; watched after attachBroadcast, so raised → WS frame is timed once it went out.
    metrics.watch(ward.bus, {
      ingest: () => ({ ...stats.snapshot(), handlerErrors: ingest.handlerErrors }),
      openAlerts: () => ward.shell.openAlerts(),
      pumps: () => ward.shell.views(),
      websocket: () => ({
        clients: wsHub.clientCount,
        dropped: { ...wsHub.dropCounts },
        rejected: wsHub.rejectedCount,
      }),
      mqttConnected: () => subscriber?.connected() ?? false,
      storeComponents: () => store.components(),
      paging: () => pager.service.snapshot(),
      errors: () => ({ internal: internalErrors.snapshot().total, alertTransitions: alertErrors }),
    });
    const metricsEndpoint = serveMetrics(app, metrics, config.metrics, logger);

    const listen = async (): Promise<PumpwatchServer> => {
      try {
        if (!config.mqtt.url) {
          broker = await startEmbeddedBroker({
            host: config.mqtt.embeddedHost,
            port: config.mqtt.embeddedPort,
            ...(security.brokerAuth ? { auth: security.brokerAuth } : {}),
            ...(tls && config.tls ? { tls: { ...tls, port: config.tls.mqttsPort } } : {}),
            // With TLS, plain MQTT only when asked for: it takes hub passwords in clear (issue #11).
            plain: !config.tls || config.tls.keepPlainMqtt,
            maxPacketBytes: config.mqtt.maxPacketBytes,
            connectTimeoutMs: config.mqtt.connectTimeoutMs,
          });
          const started = broker;
          cleanups.push(() => started.close());
          logger.info({ url: broker.url }, 'embedded MQTT broker (aedes) listening');
        }
        const embedded = broker;
        const client = startMqttSubscriber({
          clientId: serverClientId(config.dataDir),
          url: mqttUrl(),
          // The embedded broker is reached in-process: no listener needed, whether plain MQTT is on or not.
          ...(embedded ? { stream: () => embedded.connectInProcess() } : {}),
          topicPrefix: config.mqtt.topicPrefix,
          onMessage: (topic, payload) => ingest.handle(topic, payload),
          onConnect: () => confirmation.onBrokerConnect(),
          logger,
          onError,
          // On the embedded broker the server logs in as itself; an external broker gets the configured user.
          ...(embedded && security.brokerAuth
            ? { username: SERVER_MQTT_USERNAME, password: security.serverMqttPassword }
            : {
                ...(config.mqtt.username ? { username: config.mqtt.username } : {}),
                ...(config.mqtt.password ? { password: config.mqtt.password } : {}),
              }),
        });
        subscriber = client;
        cleanups.push(() => client.close());
        confirmation.attach(client);

        await app.listen({ host: config.http.host, port: config.http.port });
        const metricsListener = await metricsEndpoint.listen();
        if (metricsListener) cleanups.push(() => metricsListener.close());
        wsHub.attach(app.server);
        cleanups.push(() => wsHub.close());
        ward.shell.start();
        pager.service.start();
        cleanups.push(() => pager.service.stop());
        pumpFrames.start();
        confirmation.start();
        cleanups.push(() => confirmation.stop());
        cleanups.push(() => {
          ward.shell.stop();
          pumpFrames.stop();
        });
      } catch (error) {
        await close();
        throw error;
      }

      const { port } = app.server.address() as AddressInfo;
      const httpUrl = `${tls ? 'https' : 'http'}://${config.http.host}:${port}`;
      pager.setBaseUrl(httpUrl);
      logger.info({ url: httpUrl }, 'pumpwatch server listening');
      return {
        httpUrl,
        mqttUrl: mqttUrl(),
        ...(broker?.tlsPort ? { mqttsUrl: `mqtts://${config.mqtt.embeddedHost}:${broker.tlsPort}` } : {}),
        ward: ward.shell,
        stats,
        security,
        care,
        paging,
        pager: pager.service,
        oncall,
        httpRoutes: () => declaredRoutes(app),
        stop: close,
      };
    };
    return {
      app,
      ward: ward.shell,
      stats,
      security,
      storage: store,
      paging,
      oncall,
      care,
      pager: pager.service,
      listen,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function engineParams(config: ServerConfig, given: EngineParams | undefined): EngineParams {
  const params =
    given ??
    resolveParams(
      defaultEngineParams,
      { liveness: { pumpOfflineAfterMs: config.pumpOfflineAfterMs } },
      config.engine.params,
    );
  // Per-pump overrides are validated now, not at the pump's first sample.
  for (const overrides of Object.values(config.engine.pumps)) resolveParams(params, overrides);
  return params;
}

function escalationPolicy(config: ServerConfig): EscalationPolicy {
  return {
    afterMs: {
      high: config.escalation.highAfterMs,
      medium: config.escalation.mediumAfterMs,
      low: config.escalation.lowAfterMs,
    },
    tiers: config.escalation.tiers.length,
  };
}
