/**
 * The home hub process: `npm run gateway -- --help`. Logs are pino JSON on stdout; SIGINT or SIGTERM
 * stops it gracefully (a second signal exits at once).
 */
import { formatEffectiveConfig } from '@pumpwatch/protocol';
import { pino } from 'pino';
import { GATEWAY_HELP, parseGatewayArgs } from './config/cli-args.js';
import { loadGatewayConfig } from './config/load-config.js';
import { GatewayError } from './errors.js';
import { createGateway } from './gateway.js';
import { type StatusServer, startStatusServer } from './status-server.js';
import { createServiceNotifier } from './systemd-notify.js';

/** How often the status is logged at debug level. */
const STATUS_LOG_INTERVAL_MS = 10_000;
/** If something still holds the event loop after a graceful stop, exit anyway after this. */
const EXIT_DEADLINE_MS = 5_000;

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let args: ReturnType<typeof parseGatewayArgs>;
  let config: ReturnType<typeof loadGatewayConfig>;
  try {
    args = parseGatewayArgs(argv);
    if (args.help) {
      console.log(GATEWAY_HELP);
      return 0;
    }
    config = loadGatewayConfig({ env: process.env, argv });
    if (args.printConfig) {
      process.stdout.write(formatEffectiveConfig(config));
      return 0;
    }
  } catch (error) {
    if (error instanceof GatewayError) {
      console.error(`${error.code}: ${error.message}`);
      if (error.code === 'CLI_ARGS_INVALID') console.error('Run with --help for the options.');
      return 2;
    }
    throw error;
  }

  const logger = pino({
    name: 'pumpwatch-gateway',
    level: args.logLevel ?? process.env.PUMPWATCH_LOG_LEVEL ?? 'info',
  });
  const gateway = createGateway(config, { logger });
  const statusTimer = setInterval(
    () => logger.debug({ status: gateway.status() }, 'gateway status'),
    STATUS_LOG_INTERVAL_MS,
  );

  // Under systemd (deploy/gateway/): READY=1 once started, then watchdog pings while running.
  const service = createServiceNotifier({
    env: process.env,
    alive: () => gateway.status().running,
    onError: (error) => logger.warn({ err: error }, 'systemd-notify failed'),
  });
  let statusServer: StatusServer | null = null;
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    service.stopping();
    clearInterval(statusTimer);
    setTimeout(() => {
      logger.error('graceful stop took too long; exiting');
      process.exit(1);
    }, EXIT_DEADLINE_MS).unref();
    Promise.allSettled([statusServer?.close(), gateway.stop()])
      .then(([, stopped]) => {
        if (stopped.status === 'rejected') throw stopped.reason;
      })
      .then(
        () => {
          process.exitCode = 0;
        },
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          process.exitCode = 1;
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  try {
    await gateway.start();
  } catch (error) {
    logger.error({ err: error }, 'gateway failed to start');
    clearInterval(statusTimer);
    await gateway.stop().catch(() => {});
    return 1;
  }
  if (config.status.enabled && !stopping) {
    // The hub keeps forwarding telemetry without its status page: a busy port is a warning, not fatal.
    try {
      statusServer = await startStatusServer(() => gateway.status(), config.status);
      logger.info({ url: statusServer.url }, 'status endpoint listening');
    } catch (error) {
      logger.warn({ err: error, ...config.status }, 'status endpoint not started');
    }
  }
  if (!stopping) service.ready();
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
