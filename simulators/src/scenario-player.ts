import type { TelemetrySample } from '@pumpwatch/protocol';
import type { PumpModel } from './pump-model.js';
import { createPumpFromScenario, type Scenario } from './scenarios.js';

/**
 * One scenario as a home hub sees it: the pump model, the hub's `seq` counter, the hub clock (`hubTs`)
 * and whether the hub itself is up (`scenario.hub`). The fake MQTT hub and the engine replay both play
 * scenarios through it, so a scenario means the same thing in a benchmark, a test and a report.
 * No clock is read: the caller passes hub time (event time; accelerated runs pass accelerated time).
 */
export class ScenarioPlayer {
  readonly model: PumpModel;
  private seq = 0;

  constructor(
    readonly scenario: Scenario,
    readonly options: { seed: number; startTs: number },
  ) {
    this.model = createPumpFromScenario(scenario, options);
  }

  /** Whether the hub is up at hub time `ts` (scenario.hub: offline from offlineAtMs until backAtMs). */
  hubOnlineAt(ts: number): boolean {
    const hub = this.scenario.hub;
    if (!hub) return true;
    const offset = ts - this.options.startTs;
    if (offset < hub.offlineAtMs) return true;
    return hub.backAtMs !== undefined && offset >= hub.backAtMs;
  }

  /**
   * Advances the pump to hub time `ts` and returns the sample the hub would publish then, with the next
   * `seq` and `hubTs = ts`; null while the pump is silent or the hub is down (the pump carries on).
   */
  sampleAt(ts: number): TelemetrySample | null {
    this.model.advance(ts);
    if (!this.model.reporting || !this.hubOnlineAt(ts)) return null;
    this.seq += 1;
    // The model hands out a fresh object: complete it in place (the load generator makes tens of
    // thousands a second, and a spread copy was a visible part of its CPU).
    const sample = this.model.sample() as TelemetrySample;
    sample.seq = this.seq;
    sample.hubTs = Math.round(ts);
    return sample;
  }
}
