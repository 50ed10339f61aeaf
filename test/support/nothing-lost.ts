import { expect } from 'vitest';
import type { FaultVerdict } from './fault-rig.js';

/** Issue 15's acceptance, seq by seq: nothing dropped, lost or stored twice (and enough produced to mean it). */
export function expectNothingLost(verdict: FaultVerdict, label: string, minProduced = 1): void {
  console.log(`${label}: ${JSON.stringify(verdict)}`);
  expect(verdict.dropped).toBe(0);
  expect(verdict.lostExamples).toEqual([]);
  expect(verdict.lost).toBe(0);
  expect(verdict.duplicates).toBe(0);
  expect(verdict.produced).toBeGreaterThanOrEqual(minProduced);
}
