import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type ConfigIssue, GatewayError } from '../errors.js';
import { parseGatewayArgs } from './cli-args.js';
import { type GatewayConfig, gatewayConfigSchema } from './schema.js';

export interface LoadGatewayConfigOptions {
  /** Config file (YAML, or JSON by its .json extension); `--config` in argv wins over it. */
  file?: string;
  env?: Readonly<Record<string, string | undefined>>;
  /** Command-line arguments without node and the script (process.argv.slice(2)). */
  argv?: readonly string[];
}

/** Environment variables and the config path each one sets. */
const ENV_OVERRIDES: ReadonlyArray<[name: string, path: string[]]> = [
  ['PUMPWATCH_HUB_ID', ['hubId']],
  ['PUMPWATCH_MQTT_URL', ['mqtt', 'url']],
  ['PUMPWATCH_MQTT_USERNAME', ['mqtt', 'username']],
  ['PUMPWATCH_MQTT_PASSWORD', ['mqtt', 'password']],
  ['PUMPWATCH_TOPIC_PREFIX', ['topicPrefix']],
  ['PUMPWATCH_GATEWAY_DATA_DIR', ['dataDir']],
  ['PUMPWATCH_GATEWAY_STATUS_PORT', ['status', 'port']],
];

/** The hub id a bare `--demo` runs as, so the demo needs no config at all. */
export const DEMO_HUB_ID = 'HUB-DEMO';

/**
 * Builds the gateway config from defaults < file < environment < command line, then validates it once,
 * so a CONFIG_INVALID error lists every problem with its path.
 */
export function loadGatewayConfig(options: LoadGatewayConfigOptions = {}): GatewayConfig {
  const env = options.env ?? {};
  const args = parseGatewayArgs(options.argv ?? []);
  const file = args.configFile ?? options.file ?? env.PUMPWATCH_GATEWAY_CONFIG;
  const raw: Record<string, unknown> = file === undefined ? {} : readConfigFile(file);

  for (const [name, path] of ENV_OVERRIDES) {
    const value = env[name];
    if (value !== undefined && value !== '')
      setPath(raw, path, path[0] === 'status' ? numericEnv(value) : value);
  }
  for (const [path, value] of args.overrides) setPath(raw, path, value);
  if (raw.demo === true && raw.hubId === undefined) raw.hubId = DEMO_HUB_ID;

  const result = gatewayConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = toIssues(result.error.issues);
    const where = file === undefined ? '' : ` (${file})`;
    throw new GatewayError(
      'CONFIG_INVALID',
      `invalid gateway config${where}:\n${issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}`,
      { issues },
    );
  }
  return result.data;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new GatewayError('CONFIG_UNREADABLE', `cannot read config file ${file}`, { cause: error });
  }
  let document: unknown;
  try {
    document = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const message = `syntax error: ${error instanceof Error ? error.message : String(error)}`;
    throw new GatewayError('CONFIG_INVALID', `invalid gateway config (${file}): ${message}`, {
      issues: [{ path: '', message }],
      cause: error,
    });
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    const message = 'the document must be a mapping of fields';
    throw new GatewayError('CONFIG_INVALID', `invalid gateway config (${file}): ${message}`, {
      issues: [{ path: '', message }],
    });
  }
  return document as Record<string, unknown>;
}

/** Numbers from the environment; left as text when they do not parse, so the schema names the path. */
function numericEnv(text: string): number | string {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : text;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = path.at(-1);
  if (last !== undefined) node[last] = value;
}

function toIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
