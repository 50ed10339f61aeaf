import { ScenarioPlayer, seedFromString } from '@pumpwatch/simulators';
import { FakeHub, loadScenario } from '@pumpwatch/simulators/mqtt';
import type { FaultPump } from './paging-setup.js';

/** The load generator's defaults (scripts/support/load-child.ts): its ids and its pumps' scenarios. */
const ID_PREFIX = 'LOAD';
const PUMPS_PER_HUB = 10;
const LOAD_SEED = 1;

export interface FleetFaultPump extends FaultPump {
  /** Index in the load generator's fleet. */
  index: number;
  hubId: string;
}

/**
 * `count` pumps of the load generator's fleet of `fleetSize`, spread evenly over it (so over as many hubs
 * as possible), with the ids and normal programs the generator gives them (LoadGenerator.build).
 */
export function pickFaultPumps(fleetSize: number, count: number): FleetFaultPump[] {
  const n = Math.min(count, fleetSize);
  return Array.from({ length: n }, (_, k) => {
    const index = Math.floor(((k + 0.5) * fleetSize) / n);
    const { program } = loadScenario(index, 'normal');
    return {
      index,
      pumpId: `${ID_PREFIX}-P${String(index).padStart(6, '0')}`,
      hubId: `${ID_PREFIX}-H${String(Math.floor(index / PUMPS_PER_HUB)).padStart(5, '0')}`,
      program: { rate_mL_h: program.rate_mL_h, vtbi_mL: program.vtbi_mL },
    };
  });
}

/**
 * The fault pumps alone, as their hubs would send them, for the no-load baseline: the same ids, hubs,
 * scenarios and seeds as in the load generator, one sample a second each. Without them the pumps would
 * fall silent after their fault and raise pump_offline 30 s later, paging again in the middle of the
 * baseline; and the baseline's pumps would not have the history the loaded run's have.
 */
export async function startFaultPumpsAlone(mqttUrl: string, pumps: readonly FleetFaultPump[]) {
  const hubs = new Map<string, FakeHub>();
  for (const pump of pumps)
    if (!hubs.has(pump.hubId)) hubs.set(pump.hubId, new FakeHub({ url: mqttUrl, hubId: pump.hubId }));
  await Promise.all([...hubs.values()].map((hub) => hub.connect()));
  const startTs = Date.now();
  const players = pumps.map((pump) => ({
    pump,
    hub: hubs.get(pump.hubId) as FakeHub,
    player: new ScenarioPlayer(loadScenario(pump.index, 'normal'), {
      seed: seedFromString(pump.pumpId) ^ LOAD_SEED,
      startTs,
    }),
  }));
  for (const { pump, hub } of players) hub.publishLink(pump.pumpId, 'up');
  const publishAll = () => {
    const now = Date.now();
    for (const { pump, hub, player } of players) {
      const sample = player.sampleAt(now);
      if (sample) hub.publishTelemetry(pump.pumpId, sample);
    }
  };
  publishAll();
  const timer = setInterval(publishAll, 1000);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...hubs.values()].map((hub) => hub.close().catch(() => {})));
    },
  };
}
