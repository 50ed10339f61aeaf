import { buildScenario, demoFleet, seedFromString } from '@pumpwatch/simulators';
import type { GatewayConfig, PumpConfig } from '../config/schema.js';
import { BlePumpSource } from './ble/ble-source.js';
import type { BleTransportFactory } from './ble/ble-transport.js';
import type { PumpSource } from './pump-source.js';
import { SerialPumpSource } from './serial/serial-source.js';
import { SimulatedPumpSource } from './simulated.js';

export interface BuildSourcesDeps {
  now: () => number;
  /** The BLE radio; by default noble, imported on first use only. */
  bleTransport?: BleTransportFactory;
}

/** Loads noble lazily and once, shared by every BLE pump: a hub without BLE pumps never imports it. */
function lazyNobleTransport(): BleTransportFactory {
  let loading: ReturnType<BleTransportFactory> | null = null;
  return () => {
    loading ??= import('./ble/noble-transport.js').then((m) => m.loadNobleTransport());
    // A failed load (no adapter yet) is retried on the next connect attempt.
    loading.catch(() => {
      loading = null;
    });
    return loading;
  };
}

/** One source per configured pump (plus the demo fleet), each built by its driver. */
export function buildPumpSources(config: GatewayConfig, deps: BuildSourcesDeps): PumpSource[] {
  const { now } = deps;
  const bleTransport = deps.bleTransport ?? lazyNobleTransport();
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
  for (const pump of config.pumps) sources.push(buildSource(pump, config, now, bleTransport));
  return sources;
}

function buildSource(
  pump: PumpConfig,
  config: GatewayConfig,
  now: () => number,
  bleTransport: BleTransportFactory,
): PumpSource {
  switch (pump.driver) {
    case 'serial':
      return new SerialPumpSource({ ...pump, now });
    case 'ble':
      return new BlePumpSource({ ...pump, transport: bleTransport });
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
