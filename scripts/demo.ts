/**
 * `npm start`: the whole system on embedded defaults in one process tree — the server with its embedded
 * broker and store, and a simulated home hub with the demo fleet. Ctrl-C stops everything.
 */
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createGateway, gatewayConfigSchema } from '@pumpwatch/gateway';
import { loadServerConfig, startPumpwatchServer } from '@pumpwatch/server';
import { demoFleet } from '@pumpwatch/simulators';
import { pino } from 'pino';
import pretty from 'pino-pretty';

const DEMO_HUB_ID = 'demo-hub';

async function main(): Promise<void> {
  const env = { ...process.env };
  const dataDir = resolve(env.PUMPWATCH_DATA_DIR ?? 'data/demo');
  // Every demo starts clean: yesterday's alerts would only confuse the story.
  rmSync(dataDir, { recursive: true, force: true });
  env.PUMPWATCH_DATA_DIR = join(dataDir, 'server');
  // The dashboard has no login page yet (issue #8 adds it), so the demo runs the development mode
  // without authentication; set PUMPWATCH_AUTH_MODE=required to try the API with tokens.
  env.PUMPWATCH_AUTH_MODE ??= 'disabled';

  const logger = pino(
    { level: env.PUMPWATCH_LOG_LEVEL ?? 'info' },
    pretty({ colorize: process.stdout.isTTY, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' }),
  );
  const serverConfig = loadServerConfig({ env, argv: [] });
  const server = await startPumpwatchServer(serverConfig, { logger: logger.child({ name: 'server' }) });

  const gatewayConfig = gatewayConfigSchema.parse({
    hubId: DEMO_HUB_ID,
    mqtt: { url: server.mqttUrl },
    dataDir: join(dataDir, 'gateway'),
    demo: true,
  });
  const gateway = createGateway(gatewayConfig, { logger: logger.child({ name: 'gateway' }) });
  await gateway.start();

  const fleet = demoFleet()
    .map((pump) => `    ${pump.pumpId}  ${pump.label}  (${pump.scenario.name})`)
    .join('\n');
  process.stdout.write(
    [
      '',
      '  pumpwatch demo is running',
      '',
      `  Dashboard:   ${server.httpUrl}/`,
      `  API:         ${server.httpUrl}/api/pumps   ${server.httpUrl}/api/alerts`,
      `  MQTT broker: ${server.mqttUrl} (embedded aedes)`,
      '',
      `  Simulated home hub "${DEMO_HUB_ID}" with ${demoFleet().length} pumps:`,
      fleet,
      '',
      '  Within two minutes: air in line (~75 s), battery low (~90 s), downstream occlusion (~95 s).',
      '  Enter your name in the dashboard and acknowledge them. Ctrl-C stops everything.',
      '',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping the demo');
    await gateway.stop();
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `pumpwatch demo failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  if (String(error).includes('EADDRINUSE')) {
    process.stderr.write('A port is taken: set PUMPWATCH_HTTP_PORT and PUMPWATCH_MQTT_PORT to free ones.\n');
  }
  process.exit(1);
});
