import { buildScenario, demoFleet, seedFromString } from '@pumpwatch/simulators';
import type { GatewayConfig, PumpConfig } from '../config/schema.js';
import type { PumpSource } from './pump-source.js';
import { SimulatedPumpSource } from './simulated.js';

/** One source per configured pump (plus the demo fleet), each built by its driver. */
export function buildPumpSources(config: GatewayConfig, now: () => number): PumpSource[] {
  const { speed, intervalMs } = config.simulation;
  const sources: PumpSource[] = [];
  if (config.demo) {
    for (const pump of demoFleet()) {
      sources.push(
        new SimulatedPumpSource({
          pumpId: pump.pumpId,
          scenario: pump.scenario,
          seed: pump.seed,
          speed,
          intervalMs,
          now,
        }),
      );
    }
  }
  for (const pump of config.pumps) sources.push(buildSource(pump, config, now));
  return sources;
}

function buildSource(pump: PumpConfig, config: GatewayConfig, now: () => number): PumpSource {
  switch (pump.driver) {
    case 'simulated':
      return new SimulatedPumpSource({
        pumpId: pump.pumpId,
        scenario: buildScenario(pump.scenario, {
          rate_mL_h: pump.rate_mL_h,
          vtbi_mL: pump.vtbi_mL,
          onsetMs: pump.onsetMs,
        }),
        seed: pump.seed ?? seedFromString(pump.pumpId),
        speed: pump.speed ?? config.simulation.speed,
        intervalMs: pump.intervalMs ?? config.simulation.intervalMs,
        now,
      });
  }
}
