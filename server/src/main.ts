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
  --help               this text
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const config = loadServerConfig({ env: process.env, argv });
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

main().catch((error: unknown) => {
  if (error instanceof PumpwatchError) {
    process.stderr.write(`pumpwatch server: ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(`pumpwatch server: failed to start: ${String(error)}\n`);
  }
  process.exit(1);
});
