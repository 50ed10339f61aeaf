import type { TelemetrySample } from '@pumpwatch/protocol';

/**
 * Port between the gateway and whatever talks to pumps: the simulator, the serial and the BLE drivers. A source reads samples and reports whether it can currently reach each of its pumps; the
 * gateway assigns `seq`, stores and publishes.
 */
export type LinkState = 'up' | 'down';

/** A sample as a driver reads it: everything but `seq`. `hubTs` is set by the gateway when absent. */
export type PumpReadingSample = Omit<TelemetrySample, 'seq'>;

export interface PumpReading {
  pumpId: string;
  sample: PumpReadingSample;
}

export interface PumpSourceListener {
  reading(reading: PumpReading): void;
  /** `reason` says why a link went down (port closed, no response), for people reading the dashboard. */
  link(pumpId: string, state: LinkState, reason?: string): void;
  /** A problem the source recovers from by itself (a bad frame, a failed reconnect): logged, not fatal. */
  error(error: Error, pumpId?: string): void;
}

/** How a driver's link to one pump is doing, for the local status endpoint and the logs. */
export interface PumpLinkStats {
  /** Frames or values decoded into samples. */
  decoded: number;
  /** Bad input by reason (serial: `bad_checksum`, `truncated`…; BLE: `short_value`…); each was skipped. */
  rejected: Record<string, number>;
  /** Frames the pump sent that never arrived, from gaps in its frame counter (serial). */
  missed: number;
  /** Times the driver reopened the port or reconnected after losing the pump. */
  reconnects: number;
}

export interface PumpSource {
  /** For logs, e.g. `simulated:PUMP-0001` or `serial:/dev/ttyUSB0`. */
  readonly name: string;
  /** Pumps this source serves, known from the config before any reading arrives. */
  readonly pumpIds: readonly string[];
  start(listener: PumpSourceListener): Promise<void>;
  /** Stops reading; the source reports its links `down` and emits nothing afterwards. */
  stop(): Promise<void>;
  /** Per-pump link figures, for drivers that have them (serial, BLE). */
  stats?(): Record<string, PumpLinkStats>;
}
