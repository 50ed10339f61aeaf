import { buildScenario } from '../scenarios.js';
import type { ScenarioCase } from './scenario-cases.js';
import { type ReplayRaise, type ReplayWard, replayScenario } from './ward-replay.js';

const HOUR = 3_600_000;

export interface CaseOutcome {
  scenarioCase: ScenarioCase;
  raises: ReplayRaise[];
  samples: number;
  pumpHours: number;
  /** Alerts reopened (`retriggered`): a condition back within its hold-off, the same alert. */
  retriggers: number;
  /** New raises of a rule within REOPEN_WINDOW_MS of its last alert resolving: what reopening prevents. */
  reraisesWithinHoldOff: number;
  /**
   * Rule → the rule whose alert superseded its alert (one cause, one alert: the server's lifecycle.ts
   * SUPERSEDES), read from the transitions: the cause went on under the alert that explains more.
   */
  supersededBy: ReadonlyMap<string, string>;
}

/** The engine's default hold-off before a returning condition raises a new alert (params retrigger). */
export const REOPEN_WINDOW_MS = 300_000;

/** Plays one case through a fresh ward from `newWard`. */
export function runCase(
  newWard: (scenarioCase: ScenarioCase) => ReplayWard,
  scenarioCase: ScenarioCase,
  startTs: number,
): CaseOutcome {
  const scenario = buildScenario(scenarioCase.scenario, scenarioCase.params);
  const withEvents = {
    ...scenario,
    physics: { ...scenario.physics, ...scenarioCase.physics },
    events: [...scenario.events, ...(scenarioCase.events ?? [])],
  };
  const { raises, samples, transitions } = replayScenario(newWard(scenarioCase), withEvents, {
    seed: scenarioCase.seed ?? 1,
    startTs,
    durationMs: scenarioCase.durationMs,
    intervalMs: scenarioCase.intervalMs,
  });
  let retriggers = 0;
  let reraisesWithinHoldOff = 0;
  const resolvedAt = new Map<string, number>();
  const ruleOfAlert = new Map<string, string>();
  const supersededBy = new Map<string, string>();
  for (const { type, alert } of transitions) {
    if (type === 'raised') ruleOfAlert.set(alert.id, alert.rule);
    const by = alert.details.supersededBy;
    if (type === 'resolved' && typeof by === 'string') {
      const rule = ruleOfAlert.get(by);
      if (rule !== undefined) supersededBy.set(alert.rule, rule);
    }
    if (type === 'retriggered') retriggers += 1;
    if (type === 'resolved' && alert.resolvedAt !== null) resolvedAt.set(alert.rule, alert.resolvedAt);
    const last = resolvedAt.get(alert.rule);
    if (type === 'raised' && last !== undefined && alert.raisedAt - last <= REOPEN_WINDOW_MS)
      reraisesWithinHoldOff += 1;
  }
  return {
    scenarioCase,
    raises,
    samples,
    pumpHours: scenarioCase.durationMs / HOUR,
    retriggers,
    reraisesWithinHoldOff,
    supersededBy,
  };
}

export interface RuleQuality {
  rule: string;
  /** Fault cases that expect this rule, and how many raised it. */
  expectedIn: number;
  detected: number;
  /** Raise time minus the condition's onset, per detection (ms; negative: raised before the nominal onset). */
  delaysMs: number[];
  /** Priority of each detection's first raise. */
  priorities: string[];
  /** Raises on the normal corpus: all false. */
  falseOnNormal: number;
  /** Normal traces with at least one of those raises: raises / episodes says how much it flaps. */
  falseEpisodes: number;
  /** Raises in fault cases that neither expect nor allow this rule. */
  unexpectedInFaults: number;
  /** Case ids of the misses and false alerts, for the reader to replay. */
  misses: string[];
  falseIn: string[];
}

export interface QualityReport {
  rules: RuleQuality[];
  faultCases: number;
  normalCases: number;
  normalPumpHours: number;
  normalSamples: number;
}

/** Per rule: detections and their delay in the fault cases, false alerts on the normal corpus. */
export function summarize(
  ruleIds: readonly string[],
  faults: CaseOutcome[],
  normal: CaseOutcome[],
): QualityReport {
  const rows = new Map<string, RuleQuality>(
    ruleIds.map((rule) => [
      rule,
      {
        rule,
        expectedIn: 0,
        detected: 0,
        delaysMs: [],
        priorities: [],
        falseOnNormal: 0,
        falseEpisodes: 0,
        unexpectedInFaults: 0,
        misses: [],
        falseIn: [],
      },
    ]),
  );
  const row = (rule: string) => rows.get(rule) as RuleQuality;
  for (const { scenarioCase, raises } of faults) {
    const expected = scenarioCase.expect as Record<string, number>;
    for (const [rule, onsetMs] of Object.entries(expected)) {
      const r = row(rule);
      r.expectedIn += 1;
      const first = raises.find((raise) => raise.rule === rule);
      if (!first) {
        r.misses.push(scenarioCase.id);
        continue;
      }
      r.detected += 1;
      r.delaysMs.push(first.atMs - onsetMs);
      r.priorities.push(first.priority);
    }
    const allowed = new Set<string>([...Object.keys(expected), ...(scenarioCase.allow ?? [])]);
    for (const raise of raises) {
      if (allowed.has(raise.rule)) continue;
      row(raise.rule).unexpectedInFaults += 1;
      row(raise.rule).falseIn.push(scenarioCase.id);
    }
  }
  for (const { scenarioCase, raises } of normal) {
    const raisedHere = new Set<string>();
    for (const raise of raises) {
      row(raise.rule).falseOnNormal += 1;
      if (!raisedHere.has(raise.rule)) {
        raisedHere.add(raise.rule);
        row(raise.rule).falseEpisodes += 1;
        row(raise.rule).falseIn.push(scenarioCase.id);
      }
    }
  }
  return {
    rules: [...rows.values()],
    faultCases: faults.length,
    normalCases: normal.length,
    normalPumpHours: normal.reduce((sum, outcome) => sum + outcome.pumpHours, 0),
    normalSamples: normal.reduce((sum, outcome) => sum + outcome.samples, 0),
  };
}

/** Rows for console.table / markdown: one per rule. */
export function reportRows(report: QualityReport): Array<Record<string, string | number>> {
  const per100h = 100 / Math.max(report.normalPumpHours, 1e-9);
  return report.rules.map((r) => ({
    rule: r.rule,
    detections: `${r.detected}/${r.expectedIn}`,
    'delay median': formatDelay(median(r.delaysMs)),
    'delay max': formatDelay(r.delaysMs.length ? Math.max(...r.delaysMs) : Number.NaN),
    priority: [...new Set(r.priorities)].join('/') || '-',
    'false (normal)': r.falseOnNormal,
    'false /100 h': Number((r.falseOnNormal * per100h).toFixed(2)),
    'raises/episode': r.falseEpisodes ? Number((r.falseOnNormal / r.falseEpisodes).toFixed(1)) : '-',
    'unexpected in faults': r.unexpectedInFaults,
  }));
}

/** A markdown table of the same rows (docs/benchmarks.md pastes it). */
export function markdownTable(rows: Array<Record<string, string | number>>): string {
  const first = rows[0];
  if (!first) return '';
  const headers = Object.keys(first);
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [
    line(headers),
    line(headers.map(() => '---')),
    ...rows.map((r) => line(headers.map((h) => r[h] ?? ''))),
  ].join('\n');
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function formatDelay(ms: number): string {
  if (Number.isNaN(ms)) return '-';
  const sign = ms < 0 ? '−' : '';
  const abs = Math.abs(ms);
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)} s`;
  return `${sign}${(abs / 60_000).toFixed(1)} min`;
}
