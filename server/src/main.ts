import { formatEffectiveConfig } from '@pumpwatch/protocol';
import { pino } from 'pino';
import { loadServerConfig } from './config.js';
import { PumpwatchError } from './errors.js';
import { startPumpwatchServer } from './server.js';

const HELP = `pumpwatch server

Usage: npm run server -- [options]

Options (each also settable by environment variable or config file; docs/configuration.md):
  --config FILE        YAML or JSON config file            (PUMPWATCH_CONFIG)
  --http-port N        HTTP/WebSocket port, default 8080    (PUMPWATCH_HTTP_PORT)
  --http-host H        HTTP listen address, default 127.0.0.1 (PUMPWATCH_HTTP_HOST)
  --mqtt-url URL       external broker; unset = embedded aedes (PUMPWATCH_MQTT_URL)
  --mqtt-port N        embedded broker port, default 1883   (PUMPWATCH_MQTT_PORT)
  --data-dir DIR       embedded storage, default ./data/server (PUMPWATCH_DATA_DIR)
  --log-level LEVEL    fatal|error|warn|info|debug|trace     (PUMPWATCH_LOG_LEVEL)
  --print-config       print the effective configuration (secrets redacted) as JSON and exit
  --help               this text
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const config = loadServerConfig({ env: process.env, argv });
  if (argv.includes('--print-config')) {
    process.stdout.write(formatEffectiveConfig(config));
    return;
  }
  const logger = pino({ level: config.logLevel });
  const server = await startPumpwatchServer(config, { logger });
  logger.info(`dashboard: ${server.httpUrl}/`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/** Exit 2 for a bad command line or config (nothing was started), 1 for a failure while starting. */
const USAGE_ERRORS: ReadonlySet<string> = new Set([
  'CLI_ARGS_INVALID',
  'CONFIG_INVALID',
  'CONFIG_UNREADABLE',
]);

main().catch((error: unknown) => {
  if (error instanceof PumpwatchError) {
    process.stderr.write(`pumpwatch server: ${error.code}: ${error.message}\n`);
    if (error.code === 'CLI_ARGS_INVALID') process.stderr.write('Run with --help for the options.\n');
    process.exit(USAGE_ERRORS.has(error.code) ? 2 : 1);
  }
  process.stderr.write(`pumpwatch server: failed to start: ${String(error)}\n`);
  process.exit(1);
});
