import { parseArgs } from 'node:util';
import { GatewayError } from '../errors.js';

export const GATEWAY_HELP = `Usage: npm run gateway -- [options]

Reads a YAML or JSON config file, then applies environment variables, then these flags.

  --config <file>         config file (YAML or JSON); env PUMPWATCH_GATEWAY_CONFIG
  --hub-id <id>           hub id; env PUMPWATCH_HUB_ID
  --mqtt-url <url>        broker URL, e.g. mqtt://127.0.0.1:1883; env PUMPWATCH_MQTT_URL
  --topic-prefix <p>      topic prefix (default pumpwatch/v1); env PUMPWATCH_TOPIC_PREFIX
  --data-dir <dir>        outbox and sequence store (default ./data/gateway); env PUMPWATCH_GATEWAY_DATA_DIR
  --heartbeat-ms <ms>     hub status republish interval (default 15000)
  --status-port <port>    local status endpoint port (default 8765, 0: any free port); env PUMPWATCH_GATEWAY_STATUS_PORT
  --demo                  add the simulators' demo fleet
  --speed <x>             time acceleration of simulated pumps (default 1)
  --log-level <level>     trace | debug | info | warn | error (default info); env PUMPWATCH_LOG_LEVEL
  --print-config          print the effective configuration (secrets redacted) as JSON and exit
  --help                  print this and exit

Without --hub-id, a config file or PUMPWATCH_HUB_ID, --demo uses the hub id HUB-DEMO.
See docs/gateway.md.`;

/** What the command line asks for: config overrides plus the options only main cares about. */
export interface GatewayArgs {
  configFile?: string;
  help: boolean;
  /** Print the effective configuration, secrets redacted, instead of starting. */
  printConfig: boolean;
  logLevel?: string;
  /** Raw values keyed by config path (`mqtt.url`); validated with the rest of the config. */
  overrides: Array<[path: string[], value: unknown]>;
}

export function parseGatewayArgs(argv: readonly string[]): GatewayArgs {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new GatewayError('CLI_ARGS_INVALID', error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  const overrides: GatewayArgs['overrides'] = [];
  const add = (path: string[], value: unknown): void => {
    if (value !== undefined) overrides.push([path, value]);
  };
  add(['hubId'], values['hub-id']);
  add(['mqtt', 'url'], values['mqtt-url']);
  add(['topicPrefix'], values['topic-prefix']);
  add(['dataDir'], values['data-dir']);
  add(['heartbeatMs'], numeric(values['heartbeat-ms']));
  add(['status', 'port'], numeric(values['status-port']));
  add(['simulation', 'speed'], numeric(values.speed));
  if (values.demo) add(['demo'], true);
  return {
    help: values.help ?? false,
    printConfig: values['print-config'] ?? false,
    ...(values.config !== undefined && { configFile: values.config }),
    ...(values['log-level'] !== undefined && { logLevel: values['log-level'] }),
    overrides,
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      'hub-id': { type: 'string' },
      'mqtt-url': { type: 'string' },
      'topic-prefix': { type: 'string' },
      'data-dir': { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      'status-port': { type: 'string' },
      demo: { type: 'boolean' },
      speed: { type: 'string' },
      'log-level': { type: 'string' },
      'print-config': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
}

/** Numbers stay strings when they do not parse, so the schema reports them at their path. */
function numeric(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : text;
}
