/**
 * `npm run scenarios`: the scenario quality report. Replays every scenario case through the ward core
 * (WardCore: registry, dedup, liveness and rules, default parameters), the server's own, as fast as the
 * CPU allows, in event time, then a corpus of clean normal infusions (≥ 1,000 pump-hours across
 * 0.5–500 mL/h) and the noisy normal corpus (issue 16: 5,000 pump-hours at 0.1–999 mL/h, limits
 * 100–1000 mmHg, pressure up to 65 % of the limit, sensor noise, spikes, dropouts, quantisation,
 * movement, drift, sampled every 1–60 s; plus rebuilds of the held-out finding) for the false-alert
 * count. Prints per rule the detections, detection delay, false alerts per 100 pump-hours and raises
 * per episode; then the fault cases under the noisy corpus's sensors (detection and delay per rule and
 * rate) and each fault case read every 1 s, 10 s and 60 s (the same verdicts within a bounded delay);
 * writes artifacts/scenarios.json. `--tradeoff` adds the sensitivity / false-alert table of the main
 * thresholds (docs/alerts.md), a few minutes more.
 *
 *   npm run scenarios -- [--seeds 16] [--hours 4] [--noisy-cases 1250] [--noisy-hours 4]
 *                        [--noisy-variants 12] [--tradeoff] [--markdown]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  defaultEngineParams,
  defaultEscalationPolicy,
  type EngineParams,
  resolveParams,
  sampleRuleIds,
  WardCore,
} from '@pumpwatch/server';
import {
  type CaseOutcome,
  comparePeriods,
  detectionByFamily,
  detectionRows,
  formatDelay,
  heldOutLikeCase,
  markdownTable,
  noisyFaultCases,
  noisyNormalCorpus,
  normalCorpus,
  type QualityReport,
  reportRows,
  runCase,
  SAMPLE_PERIODS_MS,
  type ScenarioCase,
  scenarioCases,
  sensitivityByRule,
  summarize,
  TRADEOFF_SETTINGS,
  type TradeoffSetting,
  tradeoffRow,
} from '@pumpwatch/simulators/replay';

const START_TS = 1_763_812_800_000;
const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '16' },
    hours: { type: 'string', default: '4' },
    'noisy-cases': { type: 'string', default: '1250' },
    'noisy-hours': { type: 'string', default: '4' },
    'noisy-variants': { type: 'string', default: '12' },
    tradeoff: { type: 'boolean', default: false },
    markdown: { type: 'boolean', default: false },
  },
});

/**
 * A pump sampled less often than every 10 s is deployed with pump_offline after 3 intervals (the server's
 * 30 s default would call it offline between every two samples): the ward gets that configuration, on
 * top of the trade-off's setting if any.
 */
const paramsByKey = new Map<string, EngineParams>();
function paramsFor(intervalMs: number, overrides?: TradeoffSetting['overrides']): EngineParams {
  if (intervalMs <= 10_000 && !overrides) return defaultEngineParams;
  const key = `${intervalMs <= 10_000 ? 0 : intervalMs} ${JSON.stringify(overrides ?? {})}`;
  let params = paramsByKey.get(key);
  if (!params) {
    const liveness = intervalMs > 10_000 ? { liveness: { pumpOfflineAfterMs: 3 * intervalMs } } : {};
    params = resolveParams(defaultEngineParams, overrides ?? {}, liveness);
    paramsByKey.set(key, params);
  }
  return params;
}
const newWard = (c: ScenarioCase, overrides?: TradeoffSetting['overrides']) =>
  new WardCore({ params: paramsFor(c.intervalMs ?? 1000, overrides), policy: defaultEscalationPolicy });
const ruleIds = [...sampleRuleIds, 'pump_offline', 'hub_offline'];

const started = performance.now();
const faults = scenarioCases.map((c) => runCase(newWard, c, START_TS));
console.log(`fault cases: ${faults.length} replayed in ${seconds(started)} s`);
for (const outcome of faults) console.log(`  ${describeCase(outcome)}`);

const clean = replayCorpus(
  'clean normal corpus',
  normalCorpus({ seeds: Number(values.seeds), hours: Number(values.hours) }),
);
const heldOut = Array.from({ length: 8 }, (_, i) => heldOutLikeCase(i + 1));
const noisyCases = [
  ...heldOut,
  ...noisyNormalCorpus({ cases: Number(values['noisy-cases']), hours: Number(values['noisy-hours']) }),
];
const noisy = replayCorpus('noisy normal corpus', noisyCases);

const report = summarize(ruleIds, faults, clean.outcomes);
const noisyReport = summarize(ruleIds, [], noisy.outcomes);
const rows = reportRows(report);
console.log('\nfault cases and the clean normal corpus:');
console.table(rows);
if (values.markdown) console.log(`\n${markdownTable(rows)}\n`);
const noisyRows = falseAlertRows(noisyReport);
console.log('noisy normal corpus (every alert false):');
console.table(noisyRows);
if (values.markdown) console.log(`\n${markdownTable(noisyRows)}\n`);
const heldOutRaises = noisy.outcomes
  .slice(0, heldOut.length)
  .map((o) => o.raises.filter((r) => r.rule === 'occlusion_developing').length);
console.log(
  `held-out-like traces (500 mL/h at 50 % of the limit, 4 % noise, 10 s): occlusion_developing raises ${heldOutRaises.join(', ')}`,
);
const falses = [...report.rules, ...noisyReport.rules].flatMap((r) =>
  r.falseIn.map((id) => `${r.rule} in ${id}`),
);
const misses = report.rules.flatMap((r) => r.misses.map((id) => `${r.rule} in ${id}`));
const reopened = noisy.outcomes.reduce((sum, o) => sum + o.retriggers, 0);
const reraised = [...clean.outcomes, ...noisy.outcomes].reduce((sum, o) => sum + o.reraisesWithinHoldOff, 0);
console.log(
  `normal corpora: ${reraised} new raises within 5 min of the same rule resolving; ${reopened} alerts reopened (retriggered) on the noisy corpus`,
);
console.log(`misses: ${misses.length ? misses.join(', ') : 'none'}`);
console.log(
  `false alerts: ${falses.length ? falses.slice(0, 40).join(', ') : 'none'}${falses.length > 40 ? ` … (${falses.length} traces)` : ''}`,
);

// The fault cases under the noisy corpus's sensors, sampled every 1–60 s.
const noisyFaultsStarted = performance.now();
const noisyFaults = noisyFaultCases({ variants: Number(values['noisy-variants']) });
const noisyFaultRows = detectionByFamily(noisyFaults.map((c) => runCase(newWard, c, START_TS)));
console.log(
  `\nfault cases under noise: ${noisyFaults.length} variants replayed in ${seconds(noisyFaultsStarted)} s ` +
    '(detected / variants where pressure carries the fault; delay from onset):',
);
const noisyFaultTable = detectionRows(noisyFaultRows);
console.table(noisyFaultTable);
if (values.markdown) console.log(`\n${markdownTable(noisyFaultTable)}\n`);
const sensitivity = Object.fromEntries(
  [...sensitivityByRule(noisyFaultRows)].map(([rule, t]) => [rule, `${t.detected}/${t.of}`]),
);
console.log('sensitivity under noise per rule:', sensitivity);
const noisyMisses = noisyFaultRows.flatMap((r) => r.misses.map((id) => `${r.rule} in ${id}`));
console.log(`misses under noise: ${noisyMisses.length ? noisyMisses.join(', ') : 'none'}`);

// The same physical traces read every 1 s, 10 s and 60 s.
const periods = comparePeriods((c) => runCase(newWard, c, START_TS), scenarioCases);
const periodTable = periods.map((p) => ({
  case: p.id,
  ...Object.fromEntries(
    p.periodsMs.map((ms, i) => [
      `${ms / 1000} s`,
      [...(p.firstRaises[i] ?? [])].map(([rule, at]) => `${rule} ${formatDelay(at)}`).join(', '),
    ]),
  ),
  'same rules': p.sameRules ? 'yes' : 'NO',
  'worst lag (periods)': Number(p.worstLagPeriods.toFixed(2)),
}));
console.log(`\nsample period independence (${SAMPLE_PERIODS_MS.map((ms) => ms / 1000).join(' / ')} s):`);
console.table(
  periodTable.map(({ case: id, 'same rules': same, 'worst lag (periods)': lag }) => ({
    case: id,
    same,
    lag,
  })),
);
const periodWorst = Math.max(...periods.map((p) => p.worstLagPeriods));
console.log(
  `sample periods: ${periods.filter((p) => p.sameRules).length}/${periods.length} cases raise the same rules; ` +
    `worst first-raise lag ${periodWorst.toFixed(2)} sample periods`,
);

const tradeoff = values.tradeoff ? runTradeoff() : null;

mkdirSync('artifacts', { recursive: true });
writeFileSync(
  'artifacts/scenarios.json',
  `${JSON.stringify(
    {
      node: process.version,
      cases: faults.map((o) => ({ id: o.scenarioCase.id, raises: o.raises })),
      ...report,
      table: rows,
      noisy: {
        ...noisyReport,
        rules: noisyReport.rules.filter((r) => r.falseOnNormal > 0),
        table: noisyRows,
        heldOutRaises,
        retriggers: reopened,
      },
      reraisesWithinHoldOff: reraised,
      noisyFaults: { rows: noisyFaultRows, table: noisyFaultTable, sensitivity },
      samplePeriods: { table: periodTable, worstLagPeriods: periodWorst },
      ...(tradeoff ? { tradeoff } : {}),
      totalSeconds: Number(seconds(started)),
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote artifacts/scenarios.json (${seconds(started)} s in all)`);
if (misses.length > 0) process.exitCode = 1;

/** Each threshold setting against the noisy fault variants and the noisy normal corpus. */
function runTradeoff(): Array<Record<string, string | number>> {
  const tradeoffStarted = performance.now();
  const run = (c: ScenarioCase, overrides: TradeoffSetting['overrides']) =>
    runCase((x) => newWard(x, overrides), c, START_TS);
  const rows = TRADEOFF_SETTINGS.map((setting) => {
    const row = tradeoffRow(run, setting, noisyFaults, noisyCases);
    if (process.stdout.isTTY)
      process.stdout.write(`\r  trade-off: ${setting.parameter} = ${setting.value}…   `);
    return {
      rule: setting.rule,
      parameter: setting.parameter,
      value: setting.value,
      sensitivity: `${row.detected}/${row.of} (${((100 * row.detected) / Math.max(row.of, 1)).toFixed(1)} %)`,
      'delay median': [...row.delayMedianMs]
        .filter(([family]) => !family.startsWith('infiltration@') || family === 'infiltration@100')
        .map(([family, ms]) => `${family.replace(/^[a-z_]+/, '')} ${formatDelay(ms)}`)
        .join(', '),
      'false /100 h (rule)': Number(row.falsePer100h.toFixed(2)),
      'false /100 h (all)': Number(row.allFalsePer100h.toFixed(2)),
    };
  });
  if (process.stdout.isTTY) process.stdout.write('\r');
  console.log(
    `\ntrade-off (noisy fault variants vs the noisy normal corpus), ${seconds(tradeoffStarted)} s:`,
  );
  console.table(rows);
  if (values.markdown) console.log(`\n${markdownTable(rows)}\n`);
  return rows;
}

function replayCorpus(name: string, corpus: ScenarioCase[]): { outcomes: CaseOutcome[] } {
  const corpusStarted = performance.now();
  const outcomes: CaseOutcome[] = [];
  for (const [index, c] of corpus.entries()) {
    outcomes.push(runCase(newWard, c, START_TS));
    if (process.stdout.isTTY && index % 8 === 7) {
      process.stdout.write(`\r  ${name}: ${index + 1}/${corpus.length} traces…`);
    }
  }
  if (process.stdout.isTTY) process.stdout.write('\r');
  const hours = outcomes.reduce((sum, o) => sum + o.pumpHours, 0);
  const samples = outcomes.reduce((sum, o) => sum + o.samples, 0);
  const replaySeconds = (performance.now() - corpusStarted) / 1000;
  console.log(
    `${name}: ${outcomes.length} traces, ${hours.toLocaleString('en')} pump-hours, ` +
      `${samples.toLocaleString('en')} samples, replayed in ${replaySeconds.toFixed(1)} s ` +
      `(${Math.round(hours / (replaySeconds / 3600)).toLocaleString('en')}× real time)`,
  );
  return { outcomes };
}

/** Per rule over a normal corpus: false alerts, per 100 pump-hours, traces raising it, raises per episode. */
function falseAlertRows(r: QualityReport): Array<Record<string, string | number>> {
  const per100h = 100 / Math.max(r.normalPumpHours, 1e-9);
  const all = r.rules.reduce((sum, row) => sum + row.falseOnNormal, 0);
  return [
    ...r.rules.map((row) => ({
      rule: row.rule,
      'false alerts': row.falseOnNormal,
      'false /100 h': Number((row.falseOnNormal * per100h).toFixed(2)),
      traces: row.falseEpisodes,
      'raises/episode': row.falseEpisodes ? Number((row.falseOnNormal / row.falseEpisodes).toFixed(1)) : '-',
    })),
    {
      rule: 'all rules',
      'false alerts': all,
      'false /100 h': Number((all * per100h).toFixed(2)),
      traces: '',
      'raises/episode': '',
    },
  ];
}

function describeCase({ scenarioCase, raises }: CaseOutcome): string {
  const list = raises.map((r) => `${r.rule}(${r.priority}) at ${formatDelay(r.atMs)}`).join(', ');
  return `${scenarioCase.id.padEnd(28)} ${list || '(nothing raised)'}`;
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}
