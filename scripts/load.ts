/**
 * `npm run load`: N simulated pumps × f Hz published over MQTT as fake home hubs to a running broker and
 * server, with progress every second.
 *
 *   npm run load -- --pumps 10000 --hz 1 --url mqtt://127.0.0.1:1883 --seconds 60
 *
 * Run under a parent with an IPC channel (the benchmark forks it), it also takes `{type: 'rate', hz}`,
 * `{type: 'poll'}` (answered at once with `polled`) and `{type: 'stop'}`, and reports `{type: 'stats'}` twice a second.
 */
import { parseArgs } from 'node:util';
import { SimulatorError, scenarioNames } from '@pumpwatch/simulators';
import { LoadGenerator, type LoadMix, type LoadStats } from '@pumpwatch/simulators/mqtt';

const HELP = `Usage: npm run load -- [options]
  --pumps <n>            simulated pumps (default 1000)
  --hz <f>               samples per pump per second (default 1)
  --url <mqtt://…>       broker (default mqtt://127.0.0.1:1883, the demo's embedded broker)
  --seconds <s>          how long to publish; 0 = until Ctrl-C (default 60)
  --pumps-per-hub <n>    pumps per fake hub, one MQTT connection each (default 10)
  --speed <k>            time acceleration: event time runs k× the wall clock (default 1)
  --mix <normal|faults>  normal pumps only, or one in ten playing a fault scenario (default normal)
  --scenario <name>      every pump plays this scenario instead: ${scenarioNames.join(', ')}
  --server <http://…>    server URL, to PUT the orders of order_mismatch pumps before the start
  --token <t>            bearer token for --server when it requires login (or PUMPWATCH_TOKEN)
  --username <u>         MQTT username of every fake hub, with --password (or PUMPWATCH_MQTT_USERNAME/PASSWORD)
  --password <p>
  --id-prefix <p>        hub and pump id prefix (default LOAD)
  --json                 progress as one JSON object per line
  --help`;

interface ParentMessage {
  type: 'rate' | 'poll' | 'stop';
  hz?: number;
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      pumps: { type: 'string', default: '1000' },
      hz: { type: 'string', default: '1' },
      url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
      seconds: { type: 'string', default: '60' },
      'pumps-per-hub': { type: 'string', default: '10' },
      speed: { type: 'string', default: '1' },
      mix: { type: 'string', default: 'normal' },
      scenario: { type: 'string' },
      server: { type: 'string' },
      token: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      'id-prefix': { type: 'string', default: 'LOAD' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.mix !== 'normal' && values.mix !== 'faults') throw usage(`--mix must be normal or faults`);
  const mix: LoadMix = values.scenario ? { scenario: values.scenario } : values.mix;
  const seconds = Number(values.seconds);
  const ipc = typeof process.send === 'function';
  const log = (line: string) => (ipc ? undefined : console.error(line));

  log(`connecting ${values.pumps} pumps to ${values.url}…`);
  const generator = await LoadGenerator.start({
    url: values.url,
    pumps: Number(values.pumps),
    hz: Number(values.hz),
    pumpsPerHub: Number(values['pumps-per-hub']),
    speed: Number(values.speed),
    mix,
    idPrefix: values['id-prefix'],
    ...(values.server ? { serverUrl: values.server } : {}),
    ...optional('serverToken', values.token ?? process.env.PUMPWATCH_TOKEN),
    ...optional('username', values.username ?? process.env.PUMPWATCH_MQTT_USERNAME),
    ...optional('password', values.password ?? process.env.PUMPWATCH_MQTT_PASSWORD),
    onWarning: (message) => console.error(`warning: ${message}`),
  });
  const first = generator.stats();
  log(`${first.hubs} hubs connected; publishing ${first.pumps} pumps × ${first.hz} Hz`);

  let previous = first;
  const progress = setInterval(
    () => {
      const stats = generator.stats();
      if (ipc) process.send?.({ type: 'stats', stats });
      else if (values.json) console.log(JSON.stringify(stats));
      else if (stats.elapsedMs - previous.elapsedMs >= 900) {
        console.log(progressLine(stats, previous));
        previous = stats;
      }
    },
    ipc ? 500 : 1000,
  );

  const done = new Promise<void>((resolve) => {
    if (seconds > 0) setTimeout(resolve, seconds * 1000);
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    process.on('message', (message: ParentMessage) => {
      if (message.type === 'rate' && message.hz !== undefined) generator.setRate(message.hz);
      if (message.type === 'poll') process.send?.({ type: 'polled', stats: generator.stats() });
      if (message.type === 'stop') resolve();
    });
  });
  if (ipc) process.send?.({ type: 'ready', stats: first });
  await done;
  clearInterval(progress);
  const last = generator.stats();
  await generator.stop();
  if (ipc) {
    process.send?.({ type: 'stopped', stats: last });
    process.disconnect?.();
  } else {
    console.log(
      `done: ${last.published.toLocaleString('en')} published, ${last.acked.toLocaleString('en')} acknowledged ` +
        `in ${(last.elapsedMs / 1000).toFixed(1)} s (${Math.round(last.acked / (last.elapsedMs / 1000)).toLocaleString('en')} msg/s), ` +
        `${last.errors} errors, ${last.shortfall} short`,
    );
  }
  return last.errors > 0 ? 1 : 0;
}

function progressLine(now: LoadStats, before: LoadStats): string {
  const dt = (now.elapsedMs - before.elapsedMs) / 1000;
  const per = (a: number, b: number) => Math.round((a - b) / dt).toLocaleString('en');
  return (
    `t=${(now.elapsedMs / 1000).toFixed(0).padStart(4)} s  ${now.pumps.toLocaleString('en')} pumps × ${now.hz} Hz  ` +
    `offered ${per(now.offered, before.offered)}/s  published ${per(now.published, before.published)}/s  ` +
    `acked ${per(now.acked, before.acked)}/s  inflight ${now.inflight}  errors ${now.errors}  ` +
    `short ${now.shortfall}  hubs ${now.hubsConnected}/${now.hubs}`
  );
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value ? ({ [key]: value } as Record<K, string>) : {};
}

function usage(message: string): SimulatorError {
  return new SimulatorError('LOAD_INVALID', message);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = error instanceof SimulatorError ? error.code : 'LOAD_FAILED';
    console.error(`${code}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
