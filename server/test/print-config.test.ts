import { formatEffectiveConfig, REDACTED } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { loadServerConfig, parseServerConfig } from '../src/config.js';
import { PumpwatchError } from '../src/errors.js';

/** Every secret the server config can hold, each with "canary" in it, so a leak shows in the text. */
const withEverySecret = {
  mqtt: { url: 'mqtts://server:canary-url@broker.example:8883', username: 'server', password: 'canary-mqtt' },
  auth: {
    adminUser: 'admin',
    adminPassword: 'canary saline flush at midnight',
    tokenSecret: 'canary-token-secret-0123456789abcdef',
  },
  store: {
    influx: { url: 'https://influx.example', org: 'home', bucket: 'telemetry', token: 'canary-influx-token' },
  },
  escalation: {
    tiers: [{ name: 'on-call nurse', webhooks: ['https://hooks.example/page?team=1&token=canary-hook'] }],
  },
  paging: {
    email: {
      host: 'smtp.example',
      from: 'pumpwatch@example.org',
      auth: { user: 'pumpwatch', pass: 'canary-smtp' },
    },
    smsWebhook: {
      url: 'https://sms.example/send',
      secret: 'canary-sms-secret-0123456789abcdef',
      inboundToken: 'canary-sms-inbound-0123456789abcd',
    },
  },
};

describe('server --print-config', () => {
  it('prints no secret the config holds, and says where each one is set', () => {
    const text = formatEffectiveConfig(parseServerConfig(withEverySecret));
    expect(text).not.toMatch(/canary/);
    const printed = JSON.parse(text);
    expect(printed.mqtt.url).toBe(`mqtts://server:${REDACTED}@broker.example:8883`);
    expect(printed.mqtt.password).toBe(REDACTED);
    expect(printed.auth).toMatchObject({
      adminUser: 'admin',
      adminPassword: REDACTED,
      tokenSecret: REDACTED,
    });
    expect(printed.store.influx).toMatchObject({ url: 'https://influx.example', token: REDACTED });
    expect(printed.escalation.tiers[0].webhooks).toEqual([
      `https://hooks.example/page?team=1&token=${REDACTED}`,
    ]);
    expect(printed.paging.email.auth).toEqual({ user: 'pumpwatch', pass: REDACTED });
    expect(printed.paging.smsWebhook).toMatchObject({ secret: REDACTED, inboundToken: REDACTED });
  });

  it('prints the effective values: defaults, then the file, the environment and the flags', () => {
    const config = loadServerConfig({
      env: {
        PUMPWATCH_HTTP_PORT: '9000',
        PUMPWATCH_INFLUX_URL: 'https://i.example',
        PUMPWATCH_INFLUX_DATABASE: 'pw',
        PUMPWATCH_INFLUX_PASSWORD: 'canary-influx-pw',
        PUMPWATCH_INFLUX_USERNAME: 'pw',
      },
      argv: ['--http-port', '9100', '--print-config'],
    });
    const printed = JSON.parse(formatEffectiveConfig(config));
    expect(printed.http).toEqual({ host: '127.0.0.1', port: 9100, trustProxy: false });
    expect(printed.store.influx).toMatchObject({ database: 'pw', username: 'pw', password: REDACTED });
    expect(printed.auth).toMatchObject({ mode: 'required', tokenTtlMs: 12 * 3_600_000 });
    expect(printed.auth).not.toHaveProperty('tokenSecret');
  });
});

describe('server config errors', () => {
  it('lists the loopback-only refusal of auth disabled together with the field errors', () => {
    try {
      loadServerConfig({
        env: {
          PUMPWATCH_AUTH_MODE: 'disabled',
          PUMPWATCH_HTTP_HOST: '0.0.0.0',
          PUMPWATCH_HTTP_PORT: 'eighty',
        },
      });
      expect.unreachable();
    } catch (error) {
      expect((error as PumpwatchError).code).toBe('CONFIG_INVALID');
      const paths = ((error as PumpwatchError).details as Array<{ path: string }>).map((issue) => issue.path);
      expect(paths.sort()).toEqual(['http.host', 'http.port']);
    }
  });

  it('refuses an unknown flag with a stable code', () => {
    try {
      loadServerConfig({ env: {}, argv: ['--no-such-flag'] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PumpwatchError);
      expect((error as PumpwatchError).code).toBe('CLI_ARGS_INVALID');
    }
  });
});
