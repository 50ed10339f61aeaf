/**
 * `npm run bench:engine`: the alert engine core (rules + lifecycle, no I/O) on a mixed trace of 10,000
 * simulated pumps. Prints samples/s, ns/sample, heap growth while measuring, and memory per pump, next to
 * a bare loop over the same samples measured in the same run (these machines are shared: compare the
 * ratio, not absolute times). Then the same trace through the ward core the server runs (registry,
 * duplicate detection, hub index and the engine: WardCore), in the same run, so the ratio of the two
 * says what the ward's bookkeeping costs. Writes artifacts/bench-engine.json.
 *
 * It measures the engine as the server runs it: compiled into one bundle with the build's options
 * (scripts/support/run-as-built.ts); `--source` measures the sources under tsx instead.
 *
 *   npm run bench:engine -- [--pumps 10000] [--seconds 120] [--repeats 5] [--source]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type TelemetrySample, telemetrySampleSchema } from '@pumpwatch/protocol';
import { defaultEngineParams, defaultEscalationPolicy, EngineCore, WardCore } from '@pumpwatch/server';
import { buildScenario, createPumpFromScenario, NORMAL_RATES_mL_h } from '@pumpwatch/simulators';
import { runAsBuilt } from './support/run-as-built.js';

const { values } = parseArgs({
  options: {
    pumps: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '120' },
    repeats: { type: 'string', default: '5' },
    source: { type: 'boolean', default: false },
  },
});
const PUMPS = Number(values.pumps);
const SECONDS = Number(values.seconds);
const REPEATS = Math.max(1, Number(values.repeats));
const START = 1_763_812_800_000;

type Entry = { pumpId: string; sample: TelemetrySample };

function pumpIndex(pumpId: string): number {
  return Number(pumpId.slice(5));
}

/** Pumps whose scenario is `normal` (see scenarioFor). */
function isNormalPump(pumpId: string): boolean {
  const slot = pumpIndex(pumpId) % 40;
  return slot < 1 || slot > 4;
}

/** One pump in ten has a problem; the rest infuse normally at rates from 0.5 to 250 mL/h. */
function scenarioFor(index: number) {
  const rate = NORMAL_RATES_mL_h[index % NORMAL_RATES_mL_h.length] as number;
  switch (index % 40) {
    case 1:
      return buildScenario('occlusion', { rate_mL_h: 5, onsetMs: 20_000 });
    case 2:
      return buildScenario('infiltration', { onsetMs: 10_000 });
    case 3:
      return buildScenario('air_in_line', { onsetMs: 30_000 });
    case 4:
      return buildScenario('paused');
    default:
      return buildScenario('normal', { rate_mL_h: rate });
  }
}

/**
 * Samples as the server holds them: parsed from JSON text with the protocol schema. (Objects built
 * straight from the simulator mix small-integer and fractional values in the same fields, which keeps V8
 * migrating their hidden classes — a cost the server, whose parsed samples settle on one shape, does not
 * pay, and which made this benchmark measure V8's migrations rather than the rules.)
 */
function asParsed(sample: TelemetrySample): TelemetrySample {
  return telemetrySampleSchema.parse(JSON.parse(JSON.stringify(sample)));
}

function buildTrace(): Entry[] {
  process.stdout.write(`generating ${PUMPS} pumps × ${SECONDS} s of 1 Hz samples… `);
  const started = performance.now();
  const pumps = Array.from({ length: PUMPS }, (_, i) => ({
    pumpId: `PUMP-${String(i).padStart(5, '0')}`,
    model: createPumpFromScenario(scenarioFor(i), { seed: i + 1, startTs: START }),
    seq: 0,
  }));
  const trace: Entry[] = [];
  for (let second = 0; second < SECONDS; second += 1) {
    const ts = START + second * 1000;
    for (const pump of pumps) {
      pump.model.advance(ts);
      if (!pump.model.reporting) continue;
      pump.seq += 1;
      trace.push({ pumpId: pump.pumpId, sample: asParsed({ ...pump.model.sample(), seq: pump.seq }) });
    }
  }
  process.stdout.write(
    `${trace.length.toLocaleString('en')} samples in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return trace;
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/**
 * The ward core on the trace: the first half to warm up, then REPEATS passes of the second half, each
 * shifted forward in event time and in seq (so no sample is a duplicate). Best and median ms per pass.
 */
function measureWard(trace: Entry[], half: number, span: number): { bestMs: number; medianMs: number } {
  const ward = new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
  let transitions = 0;
  const run = (from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const { pumpId, sample } = trace[i] as Entry;
      const outcome = ward.onSample('bench-hub', pumpId, sample, sample.ts);
      if ('transitions' in outcome) transitions += outcome.transitions.length;
    }
  };
  run(0, half);
  const times: number[] = [];
  for (let repeat = 0; repeat < REPEATS; repeat += 1) {
    for (let i = half; i < trace.length; i += 1) {
      const entry = trace[i] as Entry;
      entry.sample.ts += span;
      entry.sample.seq += SECONDS;
    }
    const started = performance.now();
    run(half, trace.length);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  if (transitions === -1) console.log(transitions);
  return { bestMs: times[0] as number, medianMs: times[Math.floor(times.length / 2)] as number };
}

function main(): void {
  if (!(globalThis as { gc?: unknown }).gc)
    console.warn('run with --expose-gc for heap figures (npm run bench:engine does)');
  const trace = buildTrace();
  const half = Math.floor(trace.length / 2);

  // Bare baseline: touch each sample the way any consumer must (read a few fields).
  let sink = 0;
  const bareStart = performance.now();
  for (let i = half; i < trace.length; i += 1) {
    const entry = trace[i] as Entry;
    sink += entry.sample.rate_mL_h + entry.sample.vi_mL + entry.pumpId.length;
  }
  const bareMs = performance.now() - bareStart;

  gc();
  // The engine keeps its pumps' running numbers in typed arrays, whose contents V8 counts outside the
  // heap (arrayBuffers): memory per pump adds both.
  const heapEmpty = process.memoryUsage().heapUsed;
  const buffersEmpty = process.memoryUsage().arrayBuffers;
  const core = new EngineCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
  let transitions = 0;
  // Indexed loops in functions of their own: a for-of in `main` would run interpreted for a while and
  // allocate iterator results, which this benchmark would then blame on the engine.
  const runEntries = (entries: Entry[]) => {
    for (let i = 0; i < entries.length; i += 1) {
      const { pumpId, sample } = entries[i] as Entry;
      transitions += core.onSample('bench-hub', pumpId, sample, sample.ts).length;
    }
  };
  const run = (from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const { pumpId, sample } = trace[i] as Entry;
      const out = core.onSample('bench-hub', pumpId, sample, sample.ts);
      for (let j = 0; j < out.length; j += 1) {
        core.apply((out[j] as (typeof out)[number]).alert);
        transitions += 1;
      }
    }
  };
  // First half: every pump's state is created and the JIT warms up. Second half: the steady state,
  // replayed REPEATS times (shifted forward in event time each time, so every sample is evaluated
  // again). These machines are shared: the best repetition shows what one core does when the others
  // leave it alone, the median what it does under their load; both are reported.
  run(0, half);
  const span = (trace[trace.length - 1] as Entry).sample.ts - (trace[half] as Entry).sample.ts + 1000;
  const times: number[] = [];
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const buffersBefore = process.memoryUsage().arrayBuffers;
  const transitionsBefore = transitions;
  let heapAfter = heapBefore;
  for (let repeat = 0; repeat < REPEATS; repeat += 1) {
    if (repeat > 0) for (let i = half; i < trace.length; i += 1) (trace[i] as Entry).sample.ts += span;
    const started = performance.now();
    run(half, trace.length);
    times.push(performance.now() - started);
    if (repeat === 0) heapAfter = process.memoryUsage().heapUsed;
  }
  gc();
  const heapAfterGc = process.memoryUsage().heapUsed;

  // Steady state proper: the pumps whose infusions run normally change no verdict, so whatever the heap
  // grows by over one more pass of their samples is allocation per sample.
  const steadyAll = trace.slice(half).filter((entry) => isNormalPump(entry.pumpId));
  for (const entry of steadyAll) entry.sample.ts += span;
  // The first few thousand warm the loop up (optimised code, no interpreter boxing); the rest is measured.
  runEntries(steadyAll.slice(0, 5000));
  const steady = steadyAll.slice(5000);
  gc();
  const steadyTransitionsBefore = transitions;
  const steadyHeapBefore = process.memoryUsage().heapUsed;
  runEntries(steady);
  const steadyHeapGrowth = process.memoryUsage().heapUsed - steadyHeapBefore;
  const steadyTransitions = transitions - steadyTransitionsBefore;
  times.sort((a, b) => a - b);
  const elapsedMs = times[0] as number;
  const medianMs = times[Math.floor(times.length / 2)] as number;

  const measured = trace.length - half;
  const ward = measureWard(trace, half, span);
  const result = {
    pumps: PUMPS,
    samplesMeasured: measured,
    repeats: REPEATS,
    samplesPerSecond: Math.round(measured / (elapsedMs / 1000)),
    nsPerSample: Number(((elapsedMs * 1e6) / measured).toFixed(1)),
    medianSamplesPerSecond: Math.round(measured / (medianMs / 1000)),
    medianNsPerSample: Number(((medianMs * 1e6) / measured).toFixed(1)),
    bareLoopNsPerSample: Number(((bareMs * 1e6) / measured).toFixed(1)),
    transitionsWhileMeasuring: transitions - transitionsBefore,
    // Heap growth over the first measured repetition (no GC inside it).
    heapGrowthWhileMeasuringBytes: heapAfter - heapBefore,
    heapGrowthBytesPerSample: Number(((heapAfter - heapBefore) / measured).toFixed(3)),
    retainedAfterGcBytes: heapAfterGc - heapBefore,
    memoryPerPumpBytes: Math.round((heapBefore - heapEmpty + buffersBefore - buffersEmpty) / PUMPS),
    steadyStateSamples: steady.length,
    steadyStateTransitions: steadyTransitions,
    steadyStateHeapGrowthBytesPerSample: Number((steadyHeapGrowth / steady.length).toFixed(3)),
    wardSamplesPerSecond: Math.round(measured / (ward.bestMs / 1000)),
    wardMedianSamplesPerSecond: Math.round(measured / (ward.medianMs / 1000)),
    wardNsPerSample: Number(((ward.bestMs * 1e6) / measured).toFixed(1)),
    /** Ward over engine, best against best, in this run. */
    wardOverEngineTime: Number((ward.bestMs / elapsedMs).toFixed(2)),
    /** `bundle`: compiled as `npm run build` compiles the server; `source`: the sources under tsx. */
    compiled: values.source ? 'source' : 'bundle',
    node: process.version,
  };
  console.table({
    [`engine core, best of ${REPEATS}`]: {
      'samples/s': result.samplesPerSecond.toLocaleString('en'),
      'ns/sample': result.nsPerSample,
    },
    'engine core, median': {
      'samples/s': result.medianSamplesPerSecond.toLocaleString('en'),
      'ns/sample': result.medianNsPerSample,
    },
    [`ward core, best of ${REPEATS}`]: {
      'samples/s': result.wardSamplesPerSecond.toLocaleString('en'),
      'ns/sample': result.wardNsPerSample,
    },
    'ward core, median': {
      'samples/s': result.wardMedianSamplesPerSecond.toLocaleString('en'),
      'ns/sample': Number(((ward.medianMs * 1e6) / measured).toFixed(1)),
    },
    'bare loop (baseline)': {
      'samples/s': Math.round(measured / (bareMs / 1000)).toLocaleString('en'),
      'ns/sample': result.bareLoopNsPerSample,
    },
  });
  console.log(
    `heap growth over one measured pass: ${(result.heapGrowthWhileMeasuringBytes / 1024).toFixed(0)} KiB ` +
      `(${result.heapGrowthBytesPerSample} B/sample, ${result.transitionsWhileMeasuring} alert transitions); ` +
      `retained after GC: ${(result.retainedAfterGcBytes / 1024).toFixed(0)} KiB; ` +
      `steady state (${result.steadyStateSamples} samples of normal pumps, ${result.steadyStateTransitions} transitions): ` +
      `${result.steadyStateHeapGrowthBytesPerSample} B/sample; ` +
      `memory per pump: ${result.memoryPerPumpBytes} B; ` +
      `ward core / engine core time: ${result.wardOverEngineTime}`,
  );
  mkdirSync('artifacts', { recursive: true });
  writeFileSync('artifacts/bench-engine.json', `${JSON.stringify(result, null, 2)}\n`);
  console.log('wrote artifacts/bench-engine.json');
  if (sink === -1) console.log(sink);
}

if (!(await runAsBuilt(import.meta.url, ['--expose-gc']))) main();
