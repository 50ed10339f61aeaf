import type { OrderInput, PumpState } from '@pumpwatch/protocol';
import type { PumpEvent } from './pump-events.js';
import type { PumpProgram } from './pump-model.js';
import type { PumpPhysics } from './pump-physics.js';

// The shapes every scenario module builds against. They live apart from scenarios.ts so that modules
// holding builders (more-scenarios.ts) need not import the catalog that gathers them.

/** One scheduled event, `atMs` after the scenario starts. */
export interface ScenarioStep {
  atMs: number;
  event: PumpEvent;
}

export interface ScenarioHub {
  offlineAtMs: number;
  backAtMs?: number;
}

/** A pump's story as plain data: how it starts and what happens to it (a `Scenario` without its name). */
export interface ScenarioStory {
  description: string;
  program: PumpProgram;
  initialState?: PumpState;
  initialVi_mL?: number;
  battery_pct?: number;
  onBattery?: boolean;
  physics?: Partial<PumpPhysics>;
  events: ScenarioStep[];
  /**
   * The physician's order for this pump. A runner against a server PUTs it to
   * `/api/pumps/{pumpId}/order` before the pump starts; a replay sets it on the engine (`setOrder`).
   */
  order?: OrderInput;
  /**
   * What happens to the home hub itself. At `offlineAtMs` the hub vanishes (power cut, router down): a
   * fake hub drops its MQTT connection without DISCONNECT, so the broker publishes its Last Will, and no
   * telemetry leaves the home while the pump carries on. At `backAtMs` (optional) it reconnects.
   */
  hub?: ScenarioHub;
}

export interface ScenarioParams {
  rate_mL_h?: number;
  vtbi_mL?: number;
  /** When the scenario's problem starts, ms after the start. */
  onsetMs?: number;
}

export type ScenarioBuilder = (
  p: Required<Pick<ScenarioParams, 'rate_mL_h' | 'vtbi_mL' | 'onsetMs'>>,
) => ScenarioStory;

/** A builder with the defaults it is filled in with (rate, onset; VTBI is 4 h at the rate). */
export interface ScenarioEntry {
  defaults: { rate_mL_h: number; onsetMs: number };
  build: ScenarioBuilder;
}
