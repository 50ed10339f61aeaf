import type { NoisyFaultCase } from './noisy-faults.js';
import { type CaseOutcome, formatDelay, median } from './quality-report.js';

/** Detection of one rule over the noisy variants of one fault case (a rule at one rate). */
export interface DetectionRow {
  rule: string;
  family: string;
  /** Variants whose fault pressure can carry (every variant, for faults that do not need pressure). */
  carried: number;
  detected: number;
  /** Variants where pressure cannot carry the fault (inside the noise, or past the occlusion limit). */
  notCarried: number;
  detectedNotCarried: number;
  /** Raise time minus onset, of the carried detections (ms). */
  delaysMs: number[];
  /** Raises of this rule per carried variant that raised it: above 1, the rule flapped. */
  raisesPerDetection: number;
  misses: string[];
}

/** Per (rule, family): detection rate and delay over the noisy variants of each fault case. */
export function detectionByFamily(outcomes: readonly CaseOutcome[]): DetectionRow[] {
  const rows = new Map<string, DetectionRow>();
  for (const { scenarioCase, raises } of outcomes) {
    const noisyCase = scenarioCase as NoisyFaultCase;
    for (const [rule, onsetMs] of Object.entries(noisyCase.expect) as Array<[string, number]>) {
      const key = `${rule} ${noisyCase.family}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          rule,
          family: noisyCase.family,
          carried: 0,
          detected: 0,
          notCarried: 0,
          detectedNotCarried: 0,
          delaysMs: [],
          raisesPerDetection: 0,
          misses: [],
        };
        rows.set(key, row);
      }
      const mine = raises.filter((r) => r.rule === rule);
      const first = mine[0];
      if (!noisyCase.carried) {
        row.notCarried += 1;
        if (first) row.detectedNotCarried += 1;
        continue;
      }
      row.carried += 1;
      if (!first) {
        row.misses.push(noisyCase.id);
        continue;
      }
      row.detected += 1;
      row.delaysMs.push(first.atMs - onsetMs);
      row.raisesPerDetection += mine.length;
    }
  }
  for (const row of rows.values()) row.raisesPerDetection /= Math.max(row.detected, 1);
  return [...rows.values()];
}

/** Rows for console.table / markdown. */
export function detectionRows(rows: readonly DetectionRow[]): Array<Record<string, string | number>> {
  return rows.map((r) => ({
    rule: r.rule,
    'case (rate mL/h)': r.family,
    detected: `${r.detected}/${r.carried}`,
    'not carried (detected)': r.notCarried ? `${r.notCarried} (${r.detectedNotCarried})` : '-',
    'delay median': formatDelay(median(r.delaysMs)),
    'delay max': formatDelay(r.delaysMs.length ? Math.max(...r.delaysMs) : Number.NaN),
    'raises/detection': r.detected ? Number(r.raisesPerDetection.toFixed(2)) : '-',
  }));
}

/** Per rule over all its families: carried variants detected (the sensitivity the issue asks for). */
export function sensitivityByRule(
  rows: readonly DetectionRow[],
): Map<string, { detected: number; of: number }> {
  const out = new Map<string, { detected: number; of: number }>();
  for (const row of rows) {
    const total = out.get(row.rule) ?? { detected: 0, of: 0 };
    total.detected += row.detected;
    total.of += row.carried;
    out.set(row.rule, total);
  }
  return out;
}
