import { resolve } from 'node:path';
import { telemetrySampleSchema } from '@pumpwatch/protocol';
import type { GatewayConfig } from './config/schema.js';
import { ConfirmationController, type ConfirmationStatus } from './confirm/confirmation-controller.js';
import { type CommandRunner, localCommandRunner } from './confirm/local-command.js';
import { GatewayError } from './errors.js';
import { createSilentLogger, type Logger } from './logger.js';
import { HubConnection } from './mqtt/hub-connection.js';
import { OutboxDrain } from './outbox/outbox-drain.js';
import { OutboxStore } from './outbox/outbox-store.js';
import type { BleTransportFactory } from './sources/ble/ble-transport.js';
import { buildPumpSources } from './sources/build-sources.js';
import type {
  LinkState,
  PumpLinkStats,
  PumpReading,
  PumpSource,
  PumpSourceListener,
} from './sources/pump-source.js';
import { gatewayVersion } from './version.js';

export interface PumpStatus {
  link: LinkState;
  /** Hub time of the last link change, and why it went down. */
  linkChangedAt: number | null;
  linkReason?: string;
  /** Last seq assigned (persisted); null before the pump's first sample ever. */
  lastSeq: number | null;
  /** Hub time of the last reading from this pump. */
  lastReadingAt: number | null;
  /** The driver's figures for this pump (serial and BLE): decoded, rejected by reason, reconnects. */
  driver?: PumpLinkStats;
}

export interface GatewayStatus {
  hubId: string;
  running: boolean;
  /** Connected to the broker now. */
  connected: boolean;
  pumps: Record<string, PumpStatus>;
  outbox: {
    /** Samples on disk not yet confirmed by the server (docs/gateway.md, "Nothing lost"). */
    depth: number;
    /** Publishes waiting for their PUBACK. */
    inFlight: number;
    /** Samples dropped over the disk budget, total since the store was created. */
    dropped: number;
  };
  /** Hub time of the last PUBACK for telemetry; null before the first. */
  lastPublishAt: number | null;
  /** End-to-end confirmation: whether anyone is confirming this hub's samples. */
  confirmation: ConfirmationStatus | null;
  /** Readings refused because they failed the telemetry schema (they get no seq). */
  rejectedReadings: number;
}

export interface GatewayDeps {
  logger?: Logger;
  /** Hub clock (epoch ms). */
  now?: () => number;
  /** Replaces the sources the config describes: tests and future embedders bring their own drivers. */
  sources?: PumpSource[];
  /** The radio for BLE pumps (default: noble, loaded only if a BLE pump is configured). */
  bleTransport?: BleTransportFactory;
  /** Runs `confirm.alarm.command`; tests record the calls instead. */
  runCommand?: CommandRunner;
}

export interface Gateway {
  start(): Promise<void>;
  /** Stops sources, timers, the MQTT client and the store; the process can then exit on its own. */
  stop(): Promise<void>;
  status(): GatewayStatus;
}

const readingSchema = telemetrySampleSchema.omit({ seq: true, epoch: true });

/** The gateway's composition root: sources → validate → seq + durable outbox → MQTT. */
export function createGateway(config: GatewayConfig, deps: GatewayDeps = {}): Gateway {
  const logger = deps.logger ?? createSilentLogger();
  const now = deps.now ?? Date.now;
  const sources =
    deps.sources ??
    buildPumpSources(config, { now, ...(deps.bleTransport && { bleTransport: deps.bleTransport }) });
  const pumps = new Map<string, PumpStatus>();
  for (const source of sources) {
    for (const pumpId of source.pumpIds) pumps.set(pumpId, newPumpStatus());
  }
  let store: OutboxStore | null = null;
  let drain: OutboxDrain | null = null;
  let connection: HubConnection | null = null;
  let confirmation: ConfirmationController | null = null;
  let phase: 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' = 'idle';
  let lastPublishAt: number | null = null;
  let rejectedReadings = 0;
  const pendingAppends = new Set<Promise<unknown>>();

  const pumpStatus = (pumpId: string): PumpStatus => {
    let status = pumps.get(pumpId);
    if (!status) {
      status = newPumpStatus();
      pumps.set(pumpId, status);
    }
    return status;
  };

  const onReading = ({ pumpId, sample }: PumpReading): void => {
    if (phase !== 'running' || !store) return;
    const hubTs = now();
    pumpStatus(pumpId).lastReadingAt = hubTs;
    const parsed = readingSchema.safeParse({ ...sample, hubTs: sample.hubTs ?? hubTs });
    if (!parsed.success) {
      rejectedReadings++;
      logger.warn({ pumpId, issues: parsed.error.issues }, 'reading failed the telemetry schema; dropped');
      return;
    }
    const appended = store.append(pumpId, parsed.data).then(
      (stored) => {
        pumpStatus(pumpId).lastSeq = stored.seq;
        drain?.kick();
      },
      (error: unknown) => logger.error({ err: error, pumpId }, 'could not store a sample'),
    );
    pendingAppends.add(appended);
    void appended.finally(() => pendingAppends.delete(appended));
  };

  const publishLink = (pumpId: string, status: PumpStatus): void => {
    if (status.linkChangedAt === null) return;
    connection?.publishLink(pumpId, {
      state: status.link,
      ts: status.linkChangedAt,
      ...(status.linkReason !== undefined && { reason: status.linkReason }),
    });
  };

  const listener: PumpSourceListener = {
    reading: onReading,
    link: (pumpId, state, reason) => {
      const status = pumpStatus(pumpId);
      status.link = state;
      status.linkChangedAt = now();
      status.linkReason = state === 'down' ? reason : undefined;
      logger.info({ pumpId, link: state, reason }, `pump link ${state}`);
      publishLink(pumpId, status);
    },
    error: (error, pumpId) => logger.warn({ err: error, pumpId }, 'pump source error'),
  };

  async function start(): Promise<void> {
    if (phase !== 'idle') throw new GatewayError('GATEWAY_STATE', `cannot start a gateway that is ${phase}`);
    phase = 'starting';
    const dataDir = resolve(config.dataDir);
    const opened = await OutboxStore.open(dataDir, { maxEntries: config.outbox.maxEntries });
    store = opened;
    for (const [pumpId, status] of pumps) status.lastSeq = opened.lastSeq(pumpId) ?? null;
    logger.info({ dataDir, backlog: opened.depth, dropped: opened.dropped }, 'gateway store open');

    const hub = new HubConnection({
      hubId: config.hubId,
      topicPrefix: config.topicPrefix,
      version: gatewayVersion(),
      mqtt: config.mqtt,
      heartbeatMs: config.heartbeatMs,
      now,
      logger,
      outbox: () => ({ depth: opened.depth, dropped: opened.dropped }),
      onConnect: () => {
        for (const [pumpId, status] of pumps) publishLink(pumpId, status);
        confirmation?.onConnect();
        drain?.kick();
      },
      onCommitted: (committed) => {
        confirmation
          ?.onCommitted(committed)
          .catch((error: unknown) => logger.error({ err: error }, 'could not apply a commit watermark'));
      },
      onBadCommitted: (detail) => confirmation?.onBadWatermark(detail),
    });
    connection = hub;
    const outboxDrain = new OutboxDrain(opened, hub, config.outbox.maxInFlight, {
      acknowledged: async (entry) => {
        lastPublishAt = now();
        await confirmation?.onPuback(entry);
      },
      error: (error, entry) => logger.warn({ err: error, outboxId: entry?.id }, 'publish failed; will retry'),
    });
    drain = outboxDrain;
    confirmation = new ConfirmationController({
      config: config.confirm,
      hubId: config.hubId,
      store: opened,
      drain: outboxDrain,
      link: hub,
      now,
      logger,
      runCommand: deps.runCommand ?? localCommandRunner(logger, config.confirm.alarm.commandTimeoutMs),
    });
    confirmation.start();
    phase = 'running';
    hub.connect();
    await Promise.all(sources.map((source) => source.start(listener)));
    logger.info({ hubId: config.hubId, pumps: [...pumps.keys()], url: config.mqtt.url }, 'gateway started');
  }

  async function stop(): Promise<void> {
    if (phase === 'idle') {
      phase = 'stopped';
      return;
    }
    if (phase === 'stopping' || phase === 'stopped') return;
    phase = 'stopping';
    await Promise.allSettled(sources.map((source) => source.stop()));
    await Promise.allSettled([...pendingAppends]);
    confirmation?.stop();
    await drain?.stop();
    await connection?.close();
    await store?.close();
    phase = 'stopped';
    logger.info({ hubId: config.hubId }, 'gateway stopped');
  }

  function status(): GatewayStatus {
    // A Map: pump ids come from the config, and `constructor` on a plain object is inherited (#11).
    const driverStats = new Map<string, PumpLinkStats>();
    for (const source of sources)
      for (const entry of Object.entries(source.stats?.() ?? {})) driverStats.set(...entry);
    return {
      hubId: config.hubId,
      running: phase === 'running',
      connected: connection?.connected ?? false,
      pumps: Object.fromEntries(
        [...pumps].map(([pumpId, s]) => [
          pumpId,
          { ...s, ...(driverStats.has(pumpId) && { driver: driverStats.get(pumpId) as PumpLinkStats }) },
        ]),
      ),
      outbox: { depth: store?.depth ?? 0, inFlight: drain?.inFlight ?? 0, dropped: store?.dropped ?? 0 },
      lastPublishAt,
      confirmation: confirmation?.status() ?? null,
      rejectedReadings,
    };
  }

  return { start, stop, status };
}

function newPumpStatus(): PumpStatus {
  return { link: 'down', linkChangedAt: null, lastSeq: null, lastReadingAt: null };
}
