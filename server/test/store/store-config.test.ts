import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadServerConfig, PumpwatchError } from '../../src/index.js';

function configError(env: NodeJS.ProcessEnv): Array<{ path: string }> {
  try {
    loadServerConfig({ env, argv: [] });
  } catch (error) {
    expect(error).toBeInstanceOf(PumpwatchError);
    expect((error as PumpwatchError).code).toBe('CONFIG_INVALID');
    return (error as PumpwatchError).details as Array<{ path: string }>;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('store configuration', () => {
  it('keeps 30 days in the embedded store and writes to no InfluxDB by default', () => {
    const config = loadServerConfig({ env: {}, argv: [] });
    expect(config.store.retentionDays).toBe(30);
    expect(config.store.influx).toBeUndefined();
  });

  it('takes InfluxDB 1.x settings from the environment over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-store-config-'));
    const file = join(dir, 'server.yaml');
    writeFileSync(
      file,
      'store:\n  retentionDays: 7\n  influx:\n    url: http://file:8086\n    database: fromfile\n',
    );
    const config = loadServerConfig({
      env: {
        PUMPWATCH_CONFIG: file,
        PUMPWATCH_INFLUX_URL: 'http://influx:8086',
        PUMPWATCH_INFLUX_RETENTION_POLICY: 'autogen',
        PUMPWATCH_INFLUX_USERNAME: 'writer',
        PUMPWATCH_INFLUX_PASSWORD: 'secret',
        PUMPWATCH_RETENTION_DAYS: '90',
      },
      argv: [],
    });
    expect(config.store.retentionDays).toBe(90);
    expect(config.store.influx).toMatchObject({
      url: 'http://influx:8086',
      database: 'fromfile',
      retentionPolicy: 'autogen',
      username: 'writer',
      password: 'secret',
      measurement: 'pump_telemetry',
    });
  });

  it('takes the v2 write API settings (org, bucket, token) from the environment', () => {
    const config = loadServerConfig({
      env: {
        PUMPWATCH_INFLUX_URL: 'http://influx:8086',
        PUMPWATCH_INFLUX_ORG: 'pumpwatch',
        PUMPWATCH_INFLUX_BUCKET: 'telemetry',
        PUMPWATCH_INFLUX_TOKEN: 't0ken',
      },
    });
    expect(config.store.influx).toMatchObject({ org: 'pumpwatch', bucket: 'telemetry', token: 't0ken' });
  });

  it('keeps the durable embedded store unless the file asks for memory, which refuses InfluxDB', () => {
    expect(loadServerConfig({ env: {}, argv: [] }).store.kind).toBe('duckdb');
    const dir = mkdtempSync(join(tmpdir(), 'pw-store-config-'));
    const file = join(dir, 'server.yaml');
    writeFileSync(file, 'store:\n  kind: memory\n');
    expect(loadServerConfig({ env: { PUMPWATCH_CONFIG: file }, argv: [] }).store.kind).toBe('memory');
    expect(
      configError({
        PUMPWATCH_CONFIG: file,
        PUMPWATCH_INFLUX_URL: 'http://influx:8086',
        PUMPWATCH_INFLUX_DATABASE: 'd',
      }).map((i) => i.path),
    ).toEqual(['store.influx']);
  });

  it('refuses a target that is neither or both of a database and a bucket, naming the field', () => {
    expect(configError({ PUMPWATCH_INFLUX_URL: 'http://influx:8086' }).map((i) => i.path)).toContain(
      'store.influx.database',
    );
    const both = configError({
      PUMPWATCH_INFLUX_URL: 'http://influx:8086',
      PUMPWATCH_INFLUX_DATABASE: 'db',
      PUMPWATCH_INFLUX_BUCKET: 'b',
      PUMPWATCH_INFLUX_ORG: 'o',
    });
    expect(both.map((i) => i.path)).toContain('store.influx.database');
    expect(configError({ PUMPWATCH_INFLUX_BUCKET: 'b' }).map((i) => i.path)).toEqual(['store.influx.url']);
    const noOrg = configError({ PUMPWATCH_INFLUX_URL: 'http://influx:8086', PUMPWATCH_INFLUX_BUCKET: 'b' });
    expect(noOrg.map((i) => i.path)).toEqual(['store.influx.org']);
    expect(configError({ PUMPWATCH_RETENTION_DAYS: '0' }).map((i) => i.path)).toEqual([
      'store.retentionDays',
    ]);
  });
});
