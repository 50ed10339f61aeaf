import type { PumpState } from '@pumpwatch/protocol';
import type { PumpReadingSample } from '../pump-source.js';
import { type Annunciation, annunciationFlag, type IddStatus, type InfusionTelemetry } from './ids-decode.js';

/**
 * What the gateway knows of one IDS pump, built from decoded GATT values; pure functions turn it into
 * a telemetry sample.
 */
export interface IdsPumpView {
  status: IddStatus | null;
  telemetry: InfusionTelemetry | null;
  battery_pct?: number;
  /** Active annunciations: instance id → annunciation type. */
  annunciations: ReadonlyMap<number, number>;
}

/**
 * The IDD Annunciation Status characteristic shows one annunciation at a time, so the active set is
 * kept by instance id: pending, snoozed and undetermined ones are active (a snoozed alarm is silenced
 * on the pump, its condition still holds); confirmed ones leave; "no annunciation" clears the set.
 */
export function applyAnnunciation(
  active: ReadonlyMap<number, number>,
  annunciation: Annunciation | null,
): Map<number, number> {
  if (!annunciation) return new Map();
  const next = new Map(active);
  if (annunciation.status === 'confirmed') next.delete(annunciation.instanceId);
  else next.set(annunciation.instanceId, annunciation.type);
  return next;
}

/** IDS therapy and operational states → the protocol's pump state (docs/gateway.md table). */
export function pumpStateOf(status: IddStatus): PumpState {
  if (status.operationalState === 'off') return 'off';
  switch (status.therapyControlState) {
    case 'run':
      return 'infusing';
    case 'pause':
      return 'paused';
    case 'stop':
      return 'stopped';
    case 'undetermined':
      return 'standby';
  }
}

/** Alarm flags of the active annunciations, each once, in a stable order. */
export function alarmFlagsOf(annunciations: ReadonlyMap<number, number>): string[] {
  const flags = new Set<string>();
  for (const type of annunciations.values()) {
    const flag = annunciationFlag(type);
    if (flag) flags.add(flag);
  }
  return [...flags].sort();
}

/** A sample once both the IDD Status and the infusion telemetry have been read; null before. */
export function idsSample(view: IdsPumpView): PumpReadingSample | null {
  const { status, telemetry } = view;
  if (!status || !telemetry) return null;
  return {
    v: 1,
    ts: telemetry.ts,
    state: pumpStateOf(status),
    rate_mL_h: telemetry.rate_mL_h,
    vi_mL: telemetry.vi_mL,
    ...(telemetry.vtbi_mL !== undefined && { vtbi_mL: telemetry.vtbi_mL }),
    ...(telemetry.pressure_mmHg !== undefined && { pressure_mmHg: telemetry.pressure_mmHg }),
    ...(telemetry.occlusionLimit_mmHg !== undefined && {
      occlusionLimit_mmHg: telemetry.occlusionLimit_mmHg,
    }),
    ...(view.battery_pct !== undefined && { battery_pct: view.battery_pct }),
    ...(telemetry.onBattery !== undefined && { onBattery: telemetry.onBattery }),
    alarms: alarmFlagsOf(view.annunciations),
  };
}
