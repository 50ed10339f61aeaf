import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatEffectiveConfig, REDACTED, redactSecrets } from '@pumpwatch/protocol';
import { describe, expect, it } from 'vitest';
import { parseGatewayArgs } from '../src/config/cli-args.js';
import { loadGatewayConfig } from '../src/config/load-config.js';
import { gatewayConfigSchema } from '../src/config/schema.js';
import type { GatewayError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'pumpwatch-gw-print-'));

describe('--print-config', () => {
  it('is a flag of its own, off unless given', () => {
    expect(parseGatewayArgs([]).printConfig).toBe(false);
    expect(parseGatewayArgs(['--print-config', '--demo']).printConfig).toBe(true);
  });

  it('prints the effective config (file < env < flags) without the broker password, in the URL or beside it', () => {
    const file = join(dir, 'hub.yaml');
    writeFileSync(
      file,
      'hubId: HUB-7\nmqtt: { url: "mqtts://hub-7:canary-url-pw@broker.example:8883", username: hub-7 }\npumps:\n  - { pumpId: P-1, driver: simulated }\n',
    );
    const config = loadGatewayConfig({
      env: { PUMPWATCH_MQTT_PASSWORD: 'canary-env-pw', PUMPWATCH_TOPIC_PREFIX: 'site/a' },
      argv: ['--config', file, '--heartbeat-ms', '5000', '--print-config'],
    });
    const text = formatEffectiveConfig(config);
    expect(text).not.toMatch(/canary/);
    const printed = JSON.parse(text);
    expect(printed.mqtt).toMatchObject({
      url: `mqtts://hub-7:${REDACTED}@broker.example:8883`,
      username: 'hub-7',
      password: REDACTED,
    });
    // The effective values: defaults filled in, the environment and the flags applied.
    expect(printed).toMatchObject({ hubId: 'HUB-7', topicPrefix: 'site/a', heartbeatMs: 5000 });
    expect(printed.outbox).toEqual({ maxEntries: 100_000, maxInFlight: 64 });
    // What is printed is a config the gateway reads back (JSON is YAML too).
    expect(gatewayConfigSchema.safeParse(printed).success).toBe(true);
  });

  it('leaves an unset secret unset, so the output still says whether one is configured', () => {
    const config = loadGatewayConfig({ env: {}, argv: ['--demo'] });
    expect(JSON.parse(formatEffectiveConfig(config)).mqtt).not.toHaveProperty('password');
  });
});

describe('config errors', () => {
  it('lists a missing hub id, a bad field and an empty pump list together', () => {
    const file = join(dir, 'fresh-hub.yaml');
    writeFileSync(file, 'mqtt: { url: "http://broker" }\npumps: []\n');
    try {
      loadGatewayConfig({ file });
      expect.unreachable();
    } catch (error) {
      expect((error as GatewayError).code).toBe('CONFIG_INVALID');
      expect((error as GatewayError).issues.map((i) => i.path).sort()).toEqual([
        'hubId',
        'mqtt.url',
        'pumps',
      ]);
    }
  });

  it('checks duplicate pump ids next to an invalid pump, without inventing errors for it', () => {
    const file = join(dir, 'half-valid.yaml');
    writeFileSync(
      file,
      'pumps:\n  - { pumpId: P-1, driver: simulated }\n  - { driver: serial }\n  - { pumpId: P-1, driver: simulated }\n',
    );
    try {
      loadGatewayConfig({ file });
      expect.unreachable();
    } catch (error) {
      expect((error as GatewayError).issues.map((i) => i.path).sort()).toEqual([
        'hubId',
        'pumps.1.path',
        'pumps.1.pumpId',
        'pumps.2.pumpId',
      ]);
    }
  });
});

describe('redactSecrets', () => {
  it('hides values under secret-named keys at any depth, and no others', () => {
    const input = {
      password: 'a',
      nested: [{ apiKey: 'b', tokenSecret: 'c', inboundToken: 'd', privateKey: 'e', pass: 'f' }],
      tokenTtlMs: 1000,
      keyFile: '/etc/key.pem',
      username: 'u',
    };
    expect(redactSecrets(input)).toEqual({
      password: REDACTED,
      nested: [
        {
          apiKey: REDACTED,
          tokenSecret: REDACTED,
          inboundToken: REDACTED,
          privateKey: REDACTED,
          pass: REDACTED,
        },
      ],
      tokenTtlMs: 1000,
      keyFile: '/etc/key.pem',
      username: 'u',
    });
    expect(input.password).toBe('a');
  });

  it('hides secret query parameters of URLs and keeps the rest of the URL', () => {
    expect(redactSecrets('https://hooks.example/a?team=2&token=xyz&access_token=q#top')).toBe(
      `https://hooks.example/a?team=2&token=${REDACTED}&access_token=${REDACTED}#top`,
    );
    expect(redactSecrets('wss://broker.example/mqtt')).toBe('wss://broker.example/mqtt');
    expect(redactSecrets('not a url ?token=1')).toBe('not a url ?token=1');
  });
});
