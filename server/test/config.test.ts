import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServerConfig, PumpwatchError } from '../src/index.js';

describe('server configuration', () => {
  it('has documented defaults', () => {
    const config = loadServerConfig({ env: {}, argv: [] });
    expect(config.http.port).toBe(8080);
    expect(config.mqtt.url).toBeUndefined();
    expect(config.mqtt.embeddedPort).toBe(1883);
    expect(config.mqtt.topicPrefix).toBe('pumpwatch/v1');
  });

  it('lets the environment override the file and flags override the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-config-'));
    const file = join(dir, 'server.yaml');
    writeFileSync(file, 'http:\n  port: 9000\ndataDir: /from/file\n');
    const config = loadServerConfig({
      env: { PUMPWATCH_CONFIG: file, PUMPWATCH_HTTP_PORT: '9100', PUMPWATCH_MQTT_URL: 'mqtt://broker:1883' },
      argv: ['--http-port', '9200'],
    });
    expect(config.http.port).toBe(9200);
    expect(config.mqtt.url).toBe('mqtt://broker:1883');
    expect(config.dataDir).toBe('/from/file');
  });

  it('lists every invalid field with its path at once', () => {
    try {
      loadServerConfig({ env: { PUMPWATCH_HTTP_PORT: 'eighty', PUMPWATCH_MQTT_URL: 'not a url' } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PumpwatchError);
      expect((error as PumpwatchError).code).toBe('CONFIG_INVALID');
      const paths = ((error as PumpwatchError).details as Array<{ path: string }>).map((issue) => issue.path);
      expect(paths).toEqual(expect.arrayContaining(['http.port', 'mqtt.url']));
    }
  });

  it('rejects unknown flags', () => {
    expect(() => loadServerConfig({ env: {}, argv: ['--no-such-flag'] })).toThrow();
  });
});
