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

  it('refuses authentication disabled anywhere but loopback, since every caller would be an admin', () => {
    const paths = (env: NodeJS.ProcessEnv) => {
      try {
        loadServerConfig({ env: { PUMPWATCH_AUTH_MODE: 'disabled', ...env }, argv: [] });
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(PumpwatchError);
        expect((error as PumpwatchError).code).toBe('CONFIG_INVALID');
        return ((error as PumpwatchError).details as Array<{ path: string }>).map((issue) => issue.path);
      }
    };
    expect(paths({})).toEqual([]);
    expect(paths({ PUMPWATCH_HTTP_HOST: '::1' })).toEqual([]);
    expect(paths({ PUMPWATCH_HTTP_HOST: '0.0.0.0' })).toEqual(['http.host']);
    expect(paths({ PUMPWATCH_HTTP_HOST: '192.0.2.7' })).toEqual(['http.host']);
  });

  it('holds the admin password from the environment to the password policy', () => {
    const load = (password: string) => () =>
      loadServerConfig({
        env: { PUMPWATCH_ADMIN_USER: 'admin', PUMPWATCH_ADMIN_PASSWORD: password },
        argv: [],
      });
    for (const weak of ['password', 'password1234', 'admin-admin-1']) {
      expect(load(weak), weak).toThrow(/auth\.adminPassword/);
    }
    expect(load('saline flush at midnight')().auth.adminPassword).toBe('saline flush at midnight');
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

  it('trusts no proxy by default; PUMPWATCH_HTTP_TRUST_PROXY takes true/false or proxy addresses and CIDRs', () => {
    const trustProxy = (value?: string) =>
      loadServerConfig({ env: value === undefined ? {} : { PUMPWATCH_HTTP_TRUST_PROXY: value } }).http
        .trustProxy;
    expect(trustProxy()).toBe(false);
    expect(trustProxy('true')).toBe(true);
    expect(trustProxy('false')).toBe(false);
    expect(trustProxy('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(trustProxy(' 10.0.0.2, 10.1.0.0/16 ,fd00::/8 ')).toEqual(['10.0.0.2', '10.1.0.0/16', 'fd00::/8']);
    for (const bad of ['yes', 'proxy.local', '10.0.0.0/33', '10.0.0.1/8/8', ' , ']) {
      try {
        loadServerConfig({ env: { PUMPWATCH_HTTP_TRUST_PROXY: bad } });
        expect.unreachable(bad);
      } catch (error) {
        expect((error as PumpwatchError).code, bad).toBe('CONFIG_INVALID');
        const paths = ((error as PumpwatchError).details as Array<{ path: string }>).map(
          (issue) => issue.path,
        );
        expect(
          paths.every((path) => path.startsWith('http.trustProxy')),
          bad,
        ).toBe(true);
      }
    }
  });

  it('rejects unknown flags', () => {
    expect(() => loadServerConfig({ env: {}, argv: ['--no-such-flag'] })).toThrow();
  });
});
