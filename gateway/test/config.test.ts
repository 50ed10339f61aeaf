import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../src/config/load-config.js';
import { GatewayError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pumpwatch-gw-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function loadError(options: Parameters<typeof loadGatewayConfig>[0]): GatewayError {
  try {
    loadGatewayConfig(options);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected loadGatewayConfig to throw');
}

const minimal = 'hubId: HUB-1\npumps:\n  - { pumpId: P-1, driver: simulated }\n';

describe('loadGatewayConfig', () => {
  it('fills defaults around a minimal YAML file', () => {
    const config = loadGatewayConfig({ file: file('minimal.yaml', minimal) });
    expect(config).toMatchObject({
      hubId: 'HUB-1',
      topicPrefix: 'pumpwatch/v1',
      dataDir: './data/gateway',
      heartbeatMs: 15_000,
      mqtt: { url: 'mqtt://127.0.0.1:1883', reconnectPeriodMs: 1000 },
      outbox: { maxEntries: 100_000, maxInFlight: 64 },
      demo: false,
      pumps: [{ pumpId: 'P-1', driver: 'simulated', scenario: 'normal' }],
    });
  });

  it('lists every invalid field with its path', () => {
    const error = loadError({
      file: file(
        'bad.yaml',
        [
          'hubId: "not an id!"',
          'mqtt: { url: "http://broker" }',
          'heartbeat: 5000',
          'outbox: { maxInFlight: 0 }',
          'pumps:',
          '  - { pumpId: P-1, driver: simulated, rate_mL_h: -1, scenario: melt }',
          '  - { pumpId: P-2, driver: modem }',
          '  - { pumpId: P-3, driver: serial }',
          '  - { pumpId: P-4, driver: ble, address: aa:bb, intervalMs: 1 }',
        ].join('\n'),
      ),
    });
    expect(error.code).toBe('CONFIG_INVALID');
    const paths = error.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'hubId',
        'mqtt.url',
        'outbox.maxInFlight',
        'pumps.0.rate_mL_h',
        'pumps.0.scenario',
        'pumps.1.driver',
        'pumps.2.path',
        'pumps.3.intervalMs',
        '',
      ]),
    );
    expect(error.issues.find((i) => i.path === '')?.message).toMatch(/heartbeat/);
  });

  it('reads serial and BLE pumps with their defaults, and refuses two pumps on one port', () => {
    const config = loadGatewayConfig({
      file: file(
        'drivers.yaml',
        [
          'hubId: HUB-1',
          'pumps:',
          '  - { pumpId: P-1, driver: serial, path: /dev/serial/by-id/usb-FTDI_FT232R_A1-if00-port0 }',
          '  - { pumpId: P-2, driver: ble, address: "aa:bb:cc:dd:ee:ff" }',
        ].join('\n'),
      ),
    });
    expect(config.pumps[0]).toMatchObject({
      driver: 'serial',
      baudRate: 9600,
      linkTimeoutMs: 5000,
      checkIntervalMs: 1000,
    });
    expect(config.pumps[1]).toMatchObject({
      driver: 'ble',
      e2e: false,
      intervalMs: 1000,
      maxIntervalMs: 30_000,
    });
    expect(config.status).toEqual({ enabled: true, host: '127.0.0.1', port: 8765 });
    const error = loadError({
      file: file(
        'same-port.yaml',
        [
          'hubId: HUB-1',
          'pumps:',
          '  - { pumpId: P-1, driver: serial, path: /dev/ttyUSB0 }',
          '  - { pumpId: P-2, driver: serial, path: /dev/ttyUSB0 }',
        ].join('\n'),
      ),
    });
    expect(error.issues.map((i) => i.path)).toEqual(['pumps.1.path']);
    expect(loadGatewayConfig({ argv: ['--demo', '--status-port', '0'] }).status.port).toBe(0);
    expect(
      loadGatewayConfig({ argv: ['--demo'], env: { PUMPWATCH_GATEWAY_STATUS_PORT: '9999' } }).status.port,
    ).toBe(9999);
  });

  it('rejects duplicate pump ids, also against the demo fleet', () => {
    const error = loadError({
      file: file(
        'dup.yaml',
        'hubId: H\ndemo: true\npumps:\n  - { pumpId: PUMP-0001, driver: simulated }\n  - { pumpId: X, driver: simulated }\n  - { pumpId: X, driver: simulated }\n',
      ),
    });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues.map((i) => i.path)).toEqual(['pumps.0.pumpId', 'pumps.2.pumpId']);
  });

  it('requires at least one pump', () => {
    const error = loadError({ argv: ['--hub-id', 'H'] });
    expect(error.issues).toEqual([expect.objectContaining({ path: 'pumps' })]);
  });

  it('lets the environment override the file and flags override the environment', () => {
    const config = loadGatewayConfig({
      file: file('layers.yaml', `${minimal}mqtt: { url: mqtt://file:1883 }\ndataDir: /from/file\n`),
      env: {
        PUMPWATCH_MQTT_URL: 'mqtt://env:1883',
        PUMPWATCH_HUB_ID: 'HUB-ENV',
        PUMPWATCH_GATEWAY_DATA_DIR: '/from/env',
        PUMPWATCH_TOPIC_PREFIX: 'site/a',
      },
      argv: ['--mqtt-url', 'mqtt://flag:1883', '--heartbeat-ms', '2000'],
    });
    expect(config.mqtt.url).toBe('mqtt://flag:1883');
    expect(config.hubId).toBe('HUB-ENV');
    expect(config.dataDir).toBe('/from/env');
    expect(config.topicPrefix).toBe('site/a');
    expect(config.heartbeatMs).toBe(2000);
  });

  it('runs the demo from flags alone', () => {
    const config = loadGatewayConfig({ argv: ['--demo', '--mqtt-url', 'mqtt://127.0.0.1:1884'] });
    expect(config).toMatchObject({ hubId: 'HUB-DEMO', demo: true, pumps: [] });
  });

  it('reports a non-numeric flag at its config path', () => {
    const error = loadError({ argv: ['--demo', '--speed', 'fast'] });
    expect(error.issues.map((i) => i.path)).toEqual(['simulation.speed']);
  });

  it('reads JSON by extension and the --config flag', () => {
    const path = file('conf.json', JSON.stringify({ hubId: 'HUB-J', demo: true }));
    expect(loadGatewayConfig({ argv: ['--config', path] }).hubId).toBe('HUB-J');
  });

  it('loads the documented example config', () => {
    const config = loadGatewayConfig({ file: new URL('../config.example.yaml', import.meta.url).pathname });
    expect(config.pumps.map((pump) => pump.driver)).toEqual(['simulated', 'simulated', 'serial', 'ble']);
  });

  it('has stable codes for unreadable files, syntax errors and unknown flags', () => {
    expect(loadError({ file: join(dir, 'missing.yaml') }).code).toBe('CONFIG_UNREADABLE');
    expect(loadError({ file: file('syntax.yaml', 'hubId: [unclosed\n') }).code).toBe('CONFIG_INVALID');
    expect(loadError({ argv: ['--hubid', 'x'] }).code).toBe('CLI_ARGS_INVALID');
  });
});
