import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_TOPIC_PREFIX } from '@pumpwatch/protocol';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  authConfigFromEnv,
  authConfigSchema,
  tlsConfigFromEnv,
  tlsConfigSchema,
} from './auth/auth-config.js';
import { PumpwatchError } from './errors.js';
import { storeConfigFromEnv, storeConfigSchema } from './store/config.js';

const port = z.coerce.number().int().min(0).max(65535);

export const serverConfigSchema = z.object({
  http: z
    .object({ host: z.string().default('127.0.0.1'), port: port.default(8080) })
    .default({ host: '127.0.0.1', port: 8080 }),
  mqtt: z
    .object({
      /** External broker; when unset the server embeds aedes. */
      url: z.string().url().optional(),
      username: z.string().optional(),
      password: z.string().optional(),
      /** Port of the embedded broker. */
      embeddedPort: port.default(1883),
      embeddedHost: z.string().default('127.0.0.1'),
      topicPrefix: z.string().min(1).default(DEFAULT_TOPIC_PREFIX),
    })
    .default({ embeddedPort: 1883, embeddedHost: '127.0.0.1', topicPrefix: DEFAULT_TOPIC_PREFIX }),
  dataDir: z.string().min(1).default('./data/server'),
  /** Retention, group commit, and InfluxDB (docs/storage.md). */
  store: storeConfigSchema.prefault({}),
  /** Where the built dashboard lives; served at `/`. */
  dashboardDir: z.string().optional(),
  /** Liveness: a pump with no valid sample for this long is offline (ALARMS.md pump_offline). */
  pumpOfflineAfterMs: z.coerce.number().int().positive().default(30_000),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  auth: authConfigSchema.prefault({}),
  tls: tlsConfigSchema,
  /**
   * Alert rule parameters (docs/alerts.md): `params` overrides the defaults for every pump, `pumps.{id}`
   * for one pump. Validated against the full parameter schema at start.
   */
  engine: z
    .object({
      params: z.record(z.string(), z.unknown()).default({}),
      pumps: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    })
    .default({ params: {}, pumps: {} }),
  /** On-call tiers and how long an unacknowledged alert waits before the next tier is notified. */
  escalation: z
    .object({
      highAfterMs: z.number().int().positive().default(120_000),
      mediumAfterMs: z.number().int().positive().default(600_000),
      /** Low-priority alerts are for awareness; by default they never escalate. */
      lowAfterMs: z.number().int().positive().nullable().default(null),
      tiers: z
        .array(z.object({ name: z.string().min(1), webhooks: z.array(z.string().url()).default([]) }))
        .min(1)
        .default([{ name: 'on-call nurse', webhooks: [] }]),
      webhook: z
        .object({
          attempts: z.number().int().min(1).max(20).default(5),
          minBackoffMs: z.number().int().positive().default(500),
          maxBackoffMs: z.number().int().positive().default(30_000),
          timeoutMs: z.number().int().positive().default(5_000),
        })
        .prefault({}),
    })
    .prefault({}),
});
export type ServerConfig = z.infer<typeof serverConfigSchema>;
export type ServerConfigInput = z.input<typeof serverConfigSchema>;

export interface ConfigSources {
  env?: NodeJS.ProcessEnv;
  argv?: string[];
}

/** Lists every problem of a config at once, each with its path, so an operator fixes them in one go. */
export function parseServerConfig(input: unknown): ServerConfig {
  const result = serverConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const list = issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`).join('\n');
  throw new PumpwatchError('CONFIG_INVALID', `invalid server configuration:\n${list}`, issues);
}

/** Config file, then environment, then flags: each later source overrides the earlier. */
export function loadServerConfig({ env = process.env, argv = [] }: ConfigSources = {}): ServerConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      'http-port': { type: 'string' },
      'http-host': { type: 'string' },
      'mqtt-url': { type: 'string' },
      'mqtt-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'log-level': { type: 'string' },
    },
    strict: true,
  });
  const file = values.config ?? env.PUMPWATCH_CONFIG;
  const base = file ? readConfigFile(file) : {};
  const merged = structuredClone(base) as Record<string, Record<string, unknown> | unknown>;
  const http = { ...(merged.http as object | undefined) } as Record<string, unknown>;
  const mqtt = { ...(merged.mqtt as object | undefined) } as Record<string, unknown>;
  setIf(http, 'port', values['http-port'] ?? env.PUMPWATCH_HTTP_PORT);
  setIf(http, 'host', values['http-host'] ?? env.PUMPWATCH_HTTP_HOST);
  setIf(mqtt, 'url', values['mqtt-url'] ?? env.PUMPWATCH_MQTT_URL);
  setIf(mqtt, 'embeddedPort', values['mqtt-port'] ?? env.PUMPWATCH_MQTT_PORT);
  setIf(mqtt, 'username', env.PUMPWATCH_MQTT_USERNAME);
  setIf(mqtt, 'password', env.PUMPWATCH_MQTT_PASSWORD);
  setIf(mqtt, 'topicPrefix', env.PUMPWATCH_TOPIC_PREFIX);
  merged.http = http;
  merged.mqtt = mqtt;
  setIf(merged, 'dataDir', values['data-dir'] ?? env.PUMPWATCH_DATA_DIR);
  merged.store = storeConfigFromEnv(merged.store, env);
  setIf(merged, 'logLevel', values['log-level'] ?? env.PUMPWATCH_LOG_LEVEL);
  merged.auth = authConfigFromEnv(merged.auth, env);
  const tls = tlsConfigFromEnv(merged.tls, env);
  if (tls) merged.tls = tls;
  return parseServerConfig(merged);
}

function setIf(target: Record<string, unknown>, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') target[key] = value;
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PumpwatchError('CONFIG_UNREADABLE', `cannot read config file ${file}: ${String(error)}`);
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new PumpwatchError(
      'CONFIG_INVALID',
      `config file ${file} is not valid YAML/JSON: ${String(error)}`,
    );
  }
}
