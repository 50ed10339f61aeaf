/**
 * `npm run scenarios`: the scenario quality report. Replays every scenario case through the ward core
 * (WardCore: registry, dedup, liveness and rules, default parameters), the server's own, as fast as the
 * CPU allows, in event time, then a corpus of normal infusions (≥ 1,000 pump-hours across 0.5–500 mL/h) for the false-alert count. Prints per rule the
 * detections, detection delay and false alerts; writes artifacts/scenarios.json.
 *
 *   npm run scenarios -- [--seeds 16] [--hours 4] [--markdown]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { defaultEngineParams, defaultEscalationPolicy, sampleRuleIds, WardCore } from '@pumpwatch/server';
import {
  type CaseOutcome,
  formatDelay,
  markdownTable,
  normalCorpus,
  reportRows,
  runCase,
  scenarioCases,
  summarize,
} from '@pumpwatch/simulators/replay';

const START_TS = 1_763_812_800_000;
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '16' },
    hours: { type: 'string', default: '4' },
    markdown: { type: 'boolean', default: false },
  },
});

const newWard = () => new WardCore({ params: defaultEngineParams, policy: defaultEscalationPolicy });
const ruleIds = [...sampleRuleIds, 'pump_offline', 'hub_offline'];

const started = performance.now();
const faults = scenarioCases.map((c) => runCase(newWard, c, START_TS));
console.log(`fault cases: ${faults.length} replayed in ${seconds(started)} s`);
for (const outcome of faults) console.log(`  ${describeCase(outcome)}`);

const corpus = normalCorpus({ seeds: Number(values.seeds), hours: Number(values.hours) });
const normalStarted = performance.now();
const normal: CaseOutcome[] = [];
for (const [index, c] of corpus.entries()) {
  normal.push(runCase(newWard, c, START_TS));
  if (process.stdout.isTTY && index % 8 === 7) {
    process.stdout.write(`\r  normal corpus: ${index + 1}/${corpus.length} traces…`);
  }
}
if (process.stdout.isTTY) process.stdout.write('\r');
const report = summarize(ruleIds, faults, normal);
const replaySeconds = (performance.now() - normalStarted) / 1000;
console.log(
  `normal corpus: ${report.normalCases} traces, ${report.normalPumpHours.toLocaleString('en')} pump-hours, ` +
    `${report.normalSamples.toLocaleString('en')} samples at 1 Hz, replayed in ${replaySeconds.toFixed(1)} s ` +
    `(${Math.round(report.normalPumpHours / (replaySeconds / 3600)).toLocaleString('en')}× real time)`,
);

const rows = reportRows(report);
console.table(rows);
if (values.markdown) console.log(`\n${markdownTable(rows)}\n`);
const falses = report.rules.flatMap((r) => r.falseIn.map((id) => `${r.rule} in ${id}`));
const misses = report.rules.flatMap((r) => r.misses.map((id) => `${r.rule} in ${id}`));
console.log(`misses: ${misses.length ? misses.join(', ') : 'none'}`);
console.log(`false alerts: ${falses.length ? falses.slice(0, 40).join(', ') : 'none'}`);

mkdirSync('artifacts', { recursive: true });
writeFileSync(
  'artifacts/scenarios.json',
  `${JSON.stringify(
    {
      node: process.version,
      cases: faults.map((o) => ({ id: o.scenarioCase.id, raises: o.raises })),
      ...report,
      table: rows,
      totalSeconds: Number(seconds(started)),
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote artifacts/scenarios.json (${seconds(started)} s in all)`);
if (misses.length > 0) process.exitCode = 1;

function describeCase({ scenarioCase, raises }: CaseOutcome): string {
  const list = raises.map((r) => `${r.rule}(${r.priority}) at ${formatDelay(r.atMs)}`).join(', ');
  return `${scenarioCase.id.padEnd(28)} ${list || '(nothing raised)'}`;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
