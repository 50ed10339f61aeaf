/**
 * Simulated pumps on serial ports: each writes the pumpwatch serial line protocol (docs/serial-protocol.md)
 * at 1 Hz to its device, typically one end of a socat PTY pair whose other end the gateway reads.
 *
 *   socat -d -d pty,raw,echo=0,link=/tmp/pw/pump1 pty,raw,echo=0,link=/tmp/pw/gw1 &
 *   npx tsx simulators/src/serial-main.ts --port /tmp/pw/pump1 --scenario occlusion --rate 5
 */
import { parseArgs } from 'node:util';
import { SimulatorError } from './errors.js';
import { createPrng, seedFromString } from './prng.js';
import { buildScenario, createPumpFromScenario, scenarioNames } from './scenarios.js';
import { type LineNoiseKind, lineNoise, lineNoiseKinds } from './serial/line-noise.js';
import { encodeSerialFrame } from './serial/serial-frame.js';
import { SerialPump } from './serial/serial-pump.js';

const HELP = `Usage: npx tsx simulators/src/serial-main.ts --port <device> [--port <device> ...] [options]
  --port <path>         serial device to write to; repeat for several pumps (one scenario for all)
  --scenario <name>     ${scenarioNames.join(' | ')} (default normal)
  --rate <mL/h>         programmed rate (scenario default otherwise)
  --onset-s <s>         when the scenario's problem starts
  --interval-ms <ms>    wall-clock ms between frames (default 1000)
  --speed <x>           simulated time acceleration (default 1)
  --baud <n>            baud rate (default 9600; a PTY ignores it)
  --noise-every <n>     after every n-th frame write one burst of line noise (default 0: never)
  --noise <kind>        ${lineNoiseKinds.join(' | ')} (default: each in turn)
  --duration-s <s>      stop after this long (default: run until Ctrl-C)
  --help`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', multiple: true },
      scenario: { type: 'string', default: 'normal' },
      rate: { type: 'string' },
      'onset-s': { type: 'string' },
      'interval-ms': { type: 'string', default: '1000' },
      speed: { type: 'string', default: '1' },
      baud: { type: 'string', default: '9600' },
      'noise-every': { type: 'string', default: '0' },
      noise: { type: 'string' },
      'duration-s': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.port?.length) {
    console.log(HELP);
    return values.help ? 0 : 2;
  }
  if (values.noise !== undefined && !lineNoiseKinds.includes(values.noise as LineNoiseKind)) {
    console.error(`unknown --noise ${values.noise}`);
    return 2;
  }
  const onsetS = values['onset-s'] === undefined ? undefined : Number(values['onset-s']);
  const noiseEvery = Number(values['noise-every']);
  const pumps = values.port.map((path) => {
    const scenario = buildScenario(values.scenario, {
      rate_mL_h: values.rate === undefined ? undefined : Number(values.rate),
      onsetMs: onsetS === undefined ? undefined : onsetS * 1000,
    });
    const model = createPumpFromScenario(scenario, { seed: seedFromString(path), startTs: Date.now() });
    return new SerialPump({
      path,
      model,
      baudRate: Number(values.baud),
      intervalMs: Number(values['interval-ms']),
      speed: Number(values.speed),
    });
  });
  await Promise.all(pumps.map((pump) => pump.start()));
  console.log(`writing frames to ${values.port.join(', ')}`);

  const prng = createPrng(1);
  let noiseTimer: NodeJS.Timeout | undefined;
  if (noiseEvery > 0) {
    let turn = 0;
    noiseTimer = setInterval(() => {
      const kind =
        (values.noise as LineNoiseKind | undefined) ?? (lineNoiseKinds[turn++ % 6] as LineNoiseKind);
      for (const pump of pumps) {
        const frame = encodeSerialFrame(
          { v: 1, ts: Date.now(), state: 'infusing', rate_mL_h: 1, vi_mL: 0, alarms: [] },
          0,
        );
        if (pump.isOpen) pump.inject(lineNoise(kind, frame, prng)).catch(() => {});
      }
    }, noiseEvery * Number(values['interval-ms']));
  }

  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
    if (values['duration-s'] !== undefined) setTimeout(resolve, Number(values['duration-s']) * 1000);
  });
  clearInterval(noiseTimer);
  await Promise.all(pumps.map((pump) => pump.stop()));
  for (const [i, pump] of pumps.entries())
    console.log(`${values.port[i]}: ${pump.framesWritten} frames written, ${pump.framesLost} lost`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const code = error instanceof SimulatorError ? error.code : 'USAGE';
    console.error(`${code}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
