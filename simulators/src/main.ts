/**
 * Plays a scenario in simulated time and prints one JSON sample per line, without waiting:
 *   npm run sim -- --scenario occlusion --rate 5 --duration-s 120 --interval-ms 5000
 * Handy to see what a rule will receive. To feed a broker, run the gateway with simulated pumps.
 */
import { parseArgs } from 'node:util';
import { SimulatorError } from './errors.js';
import { seedFromString } from './prng.js';
import { buildScenario, createPumpFromScenario, scenarioNames } from './scenarios.js';

const HELP = `Usage: npm run sim -- [options]
  --scenario <name>     ${scenarioNames.join(' | ')} (default normal)
  --rate <mL/h>         programmed rate (scenario default otherwise)
  --vtbi <mL>           volume to be infused (4 h at the rate otherwise)
  --onset-s <s>         when the scenario's problem starts
  --duration-s <s>      simulated time to play (default 300)
  --interval-ms <ms>    sample interval in simulated time (default 1000)
  --seed <n>            PRNG seed (default: hash of the scenario name)
  --start-ts <ms>       event time of the first sample (default 1700000000000)
  --help`;

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'normal' },
      rate: { type: 'string' },
      vtbi: { type: 'string' },
      'onset-s': { type: 'string' },
      'duration-s': { type: 'string', default: '300' },
      'interval-ms': { type: 'string', default: '1000' },
      seed: { type: 'string' },
      'start-ts': { type: 'string', default: '1700000000000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const num = (text: string | undefined): number | undefined =>
    text === undefined ? undefined : Number(text);
  const onsetS = num(values['onset-s']);
  const scenario = buildScenario(values.scenario, {
    rate_mL_h: num(values.rate),
    vtbi_mL: num(values.vtbi),
    onsetMs: onsetS === undefined ? undefined : onsetS * 1000,
  });
  const startTs = Number(values['start-ts']);
  const intervalMs = Number(values['interval-ms']);
  const endTs = startTs + Number(values['duration-s']) * 1000;
  const seed = num(values.seed) ?? seedFromString(scenario.name);
  const pump = createPumpFromScenario(scenario, { seed, startTs });
  for (let ts = startTs, seq = 0; ts <= endTs; ts += intervalMs) {
    pump.advance(ts);
    if (pump.reporting) console.log(JSON.stringify({ ...pump.sample(), seq: seq++ }));
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  const code = error instanceof SimulatorError ? error.code : 'USAGE';
  console.error(`${code}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
