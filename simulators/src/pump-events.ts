/**
 * Things that can happen to a simulated pump: faults, user actions and changes of the pump's
 * reporting. Scenarios schedule them at an offset from the start; tests apply them directly.
 */
export type PumpEvent =
  /**
   * Downstream occlusion: flow to the patient stops while the pump keeps pushing, so pressure rises
   * by rate / compliance until the pump alarms at its occlusion limit and stops. A smaller compliance
   * (a stiffer line) means a faster rise.
   */
  | { type: 'occlusion'; compliance_mL_per_mmHg?: number }
  /** The kink or clamp is removed; the stored volume leaves the line and pressure returns to normal. */
  | { type: 'clear_occlusion' }
  /** The cannula slips into tissue: line resistance climbs to `factor`× baseline over `rampMs`. */
  | { type: 'infiltration'; factor?: number; rampMs?: number }
  /** An air bubble over the detector's limit: the pump flags `air_in_line` and stops. */
  | { type: 'air_in_line' }
  | { type: 'clear_air' }
  /** The battery drops to `battery_pct` (a worn cell); optionally drains faster from then on. */
  | { type: 'battery_low'; battery_pct?: number; drain_pct_h?: number }
  /** Plugged into mains (charges) or unplugged (drains). */
  | { type: 'power_source'; onBattery: boolean }
  | { type: 'pause' }
  /** Starts or restarts delivery (from standby, paused or stopped). */
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'power_off' }
  /**
   * Uncontrolled gravity flow (set out of the pump with the clamp open): volume delivered rises at
   * `factor`× the programmed rate whatever the pump's state. `flag` makes the pump raise `free_flow`
   * as drop-sensor pumps do.
   */
  | { type: 'free_flow'; factor?: number; flag?: boolean }
  | { type: 'end_free_flow' }
  /** The pump goes silent (hung firmware, dead radio) while the infusion carries on. */
  | { type: 'stop_reporting' }
  | { type: 'resume_reporting' }
  /** Titration: a new rate for the running program. */
  | { type: 'set_rate'; rate_mL_h: number }
  /** The pump's clock drifts: sample `ts` is shifted by `offsetMs` from then on. */
  | { type: 'clock_offset'; offsetMs: number }
  /**
   * A mechanism error the pump does not notice (worn cassette, a soft syringe plunger, a partly closed
   * roller clamp upstream): it delivers `factor`× what it believes it delivers, and counts that in
   * `vi_mL` as a volumetric sensor would. 0.7 under-delivers by 30 %; 1 restores normal delivery.
   */
  | { type: 'rate_error'; factor: number }
  /**
   * A pump-native alarm flag (`upstream_occlusion`, `door_open`, `malfunction`…). With `stops` (default
   * true) the pump stops as it would for a delivery-blocking alarm.
   */
  | { type: 'pump_alarm'; flag: string; stops?: boolean }
  | { type: 'clear_pump_alarm'; flag: string };

export type PumpEventType = PumpEvent['type'];
