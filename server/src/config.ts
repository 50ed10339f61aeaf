import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { DEFAULT_TOPIC_PREFIX } from '@pumpwatch/protocol';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  authConfigFromEnv,
  authConfigSchema,
  developmentModeExposure,
  tlsConfigFromEnv,
  tlsConfigSchema,
} from './auth/auth-config.js';
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_MAX_PACKET_BYTES } from './broker/limits.js';
import { confirmConfigSchema, heartbeatConfigSchema } from './confirm/config.js';
import { PumpwatchError } from './errors.js';
import { metricsConfigFromEnv, metricsConfigSchema } from './metrics/config.js';
import { pagingConfigSchema } from './paging/channels/config.js';
import { storeConfigFromEnv, storeConfigSchema } from './store/config.js';

const port = z.coerce.number().int().min(0).max(65535);

/** An IP address, or one with a prefix length (CIDR), as Fastify's `trustProxy` takes them. */
function isProxyAddress(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** `true`/`false`, or a comma-separated list of addresses and CIDRs (the environment's form). */
function trustProxyFromText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  if (text === 'true' || text === 'false') return text === 'true';
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * Whose `X-Forwarded-For` to believe for the client's address (login rate limit and back-off, audit):
 * `false` the socket's peer; a list, only proxies at those addresses; `true`, any peer (only when
 * nothing but the proxy can reach the server, since anyone else could then pick their own address).
 */
const trustProxySchema = z.preprocess(
  trustProxyFromText,
  z.union([
    z.boolean(),
    z
      .array(z.string().refine(isProxyAddress, 'not an IP address or CIDR (e.g. 10.0.0.2 or 10.0.0.0/24)'))
      .min(1, 'true, false, or at least one proxy address'),
  ]),
);

export const serverConfigSchema = z.object({
  http: z
    .object({
      host: z.string().default('127.0.0.1'),
      port: port.default(8080),
      trustProxy: trustProxySchema.default(false),
    })
    .default({ host: '127.0.0.1', port: 8080, trustProxy: false }),
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
      /**
       * Largest MQTT packet the embedded broker reads, checked from a socket's first byte (before
       * CONNECT): the 64 KiB payload limit plus 1 KiB of topic and headers (issue #11).
       */
      maxPacketBytes: z.coerce.number().int().min(1024).max(268_435_455).default(DEFAULT_MAX_PACKET_BYTES),
      /** A socket that has not completed CONNECT by then is closed (embedded broker). */
      connectTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(DEFAULT_CONNECT_TIMEOUT_MS),
    })
    .default({
      embeddedPort: 1883,
      embeddedHost: '127.0.0.1',
      topicPrefix: DEFAULT_TOPIC_PREFIX,
      maxPacketBytes: DEFAULT_MAX_PACKET_BYTES,
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    }),
  dataDir: z.string().min(1).default('./data/server'),
  /** Retention, group commit, and InfluxDB (docs/storage.md). */
  store: storeConfigSchema.prefault({}),
  /** Where the built dashboard lives; served at `/`. */
  dashboardDir: z.string().optional(),
  /**
   * Liveness: a pump with no valid sample for this long is offline (pump_offline,
   * docs/clinical-reference.md#rule-catalog).
   */
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
  /** Paging channels to a person's phone and mailbox (docs/paging.md); each is off until configured. */
  paging: pagingConfigSchema,
  /** `GET /metrics` for Prometheus: served only behind a token or on its own address (docs/operations.md). */
  metrics: metricsConfigSchema,
  confirm: confirmConfigSchema,
  heartbeat: heartbeatConfigSchema,
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
  if (result.success) {
    const exposed = developmentModeExposure(result.data);
    if (exposed.length === 0) return result.data;
    const issues = exposed.map((path) => ({ path, message: DEVELOPMENT_MODE_EXPOSED }));
    const list = issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n');
    throw new PumpwatchError('CONFIG_INVALID', `invalid server configuration:\n${list}`, issues);
  }
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  // The loopback check needs a parsed config; read the raw one here so it is listed with the rest.
  for (const path of exposureOfRawInput(input)) {
    if (!issues.some((issue) => issue.path === path))
      issues.push({ path, message: DEVELOPMENT_MODE_EXPOSED });
  }
  const list = issues.map((issue) => `  - ${issue.path || '(root)'}: ${issue.message}`).join('\n');
  throw new PumpwatchError('CONFIG_INVALID', `invalid server configuration:\n${list}`, issues);
}

const DEVELOPMENT_MODE_EXPOSED =
  'auth.mode disabled is for development on loopback only; this would serve everyone as admin';

/** developmentModeExposure of a config that did not validate, with the schema's defaults filled in. */
function exposureOfRawInput(input: unknown): string[] {
  const section = (key: string): Record<string, unknown> => {
    const value = (input as Record<string, unknown> | null)?.[key];
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  };
  const text = (value: unknown, fallback: string) => (typeof value === 'string' ? value : fallback);
  const mqtt = section('mqtt');
  return developmentModeExposure({
    auth: { mode: text(section('auth').mode, 'required') },
    http: { host: text(section('http').host, '127.0.0.1') },
    mqtt: {
      url: typeof mqtt.url === 'string' ? mqtt.url : undefined,
      embeddedHost: text(mqtt.embeddedHost, '127.0.0.1'),
    },
  });
}

/** Config file, then environment, then flags: each later source overrides the earlier. */
export function loadServerConfig({ env = process.env, argv = [] }: ConfigSources = {}): ServerConfig {
  const { values } = parseCommandLine(argv);
  const file = values.config ?? env.PUMPWATCH_CONFIG;
  const base = file ? readConfigFile(file) : {};
  const merged = structuredClone(base) as Record<string, Record<string, unknown> | unknown>;
  const http = { ...(merged.http as object | undefined) } as Record<string, unknown>;
  const mqtt = { ...(merged.mqtt as object | undefined) } as Record<string, unknown>;
  setIf(http, 'port', values['http-port'] ?? env.PUMPWATCH_HTTP_PORT);
  setIf(http, 'host', values['http-host'] ?? env.PUMPWATCH_HTTP_HOST);
  setIf(http, 'trustProxy', env.PUMPWATCH_HTTP_TRUST_PROXY);
  setIf(mqtt, 'url', values['mqtt-url'] ?? env.PUMPWATCH_MQTT_URL);
  setIf(mqtt, 'embeddedPort', values['mqtt-port'] ?? env.PUMPWATCH_MQTT_PORT);
  setIf(mqtt, 'username', env.PUMPWATCH_MQTT_USERNAME);
  setIf(mqtt, 'password', env.PUMPWATCH_MQTT_PASSWORD);
  setIf(mqtt, 'topicPrefix', env.PUMPWATCH_TOPIC_PREFIX);
  setIf(mqtt, 'maxPacketBytes', env.PUMPWATCH_MQTT_MAX_PACKET_BYTES);
  setIf(mqtt, 'connectTimeoutMs', env.PUMPWATCH_MQTT_CONNECT_TIMEOUT_MS);
  merged.http = http;
  merged.mqtt = mqtt;
  setIf(merged, 'dataDir', values['data-dir'] ?? env.PUMPWATCH_DATA_DIR);
  merged.store = storeConfigFromEnv(merged.store, env);
  setIf(merged, 'logLevel', values['log-level'] ?? env.PUMPWATCH_LOG_LEVEL);
  merged.auth = authConfigFromEnv(merged.auth, env);
  if (env.PUMPWATCH_HEARTBEAT_URL) {
    merged.heartbeat = { ...(merged.heartbeat as object | undefined), url: env.PUMPWATCH_HEARTBEAT_URL };
  }
  merged.metrics = metricsConfigFromEnv(merged.metrics, env);
  const tls = tlsConfigFromEnv(merged.tls, env);
  if (tls) merged.tls = tls;
  return parseServerConfig(merged);
}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        'http-port': { type: 'string' },
        'http-host': { type: 'string' },
        'mqtt-url': { type: 'string' },
        'mqtt-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        // Read by main.ts; accepted here so that the strict parse does not refuse them.
        'print-config': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (error) {
    throw new PumpwatchError('CLI_ARGS_INVALID', error instanceof Error ? error.message : String(error));
  }
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
