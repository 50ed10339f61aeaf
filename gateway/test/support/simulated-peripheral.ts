import {
  BATTERY_LEVEL,
  BATTERY_SERVICE,
  encodeBatteryLevel,
  encodeIddAnnunciationStatus,
  encodeIddStatus,
  encodeInfusionTelemetry,
  IDD_ANNUNCIATION_STATUS,
  IDD_STATUS,
  IDS_SERVICE,
  INFUSION_TELEMETRY,
  OperationalState,
  TherapyControlState,
} from '@pumpwatch/simulators/ble';
import type {
  BleConnection,
  BleTransport,
  BleTransportFactory,
} from '../../src/sources/ble/ble-transport.js';

export interface SimulatedPeripheralOptions {
  /**
   * Infusion telemetry follows the wall clock: every read returns the pump's state at that moment (its
   * `ts` and the volume infused so far at `rate_mL_h`), as a running pump's characteristic does. Without
   * it the telemetry moves only when `tick()` is called.
   */
  live?: { rate_mL_h: number; vi_mL: number };
}

/**
 * A simulated IDS pump at the GATT-value level: characteristic values as bytes, indications, a link
 * that can be cut, reads that can be made slow or corrupt. It implements the driver's transport port;
 * only the radio is missing. It also keeps what a test needs to judge the driver: which connections and
 * transports are still open, and the `ts` of every good telemetry value it handed out.
 */
export class SimulatedPeripheral implements BleTransport {
  values = new Map<string, Uint8Array>();
  private subscribers = new Map<string, (value: Uint8Array) => void>();
  private dropLink: ((reason: string) => void) | null = null;
  inRange = true;
  connects = 0;
  readDelayMs = 0;
  reads = 0;
  /** Telemetry reads still to answer with a corrupt (too short) value; Infinity for all of them. */
  badTelemetryReads = 0;
  /** `ts` of every good telemetry value read. */
  readonly goodTelemetryTs: number[] = [];
  /** Connections neither disconnected by the driver nor cut by the peripheral. */
  openConnections = 0;
  /** Factory calls not matched by `close()`. */
  openTransports = 0;
  private ts = 1_763_812_800_000;
  private readonly liveStart = Date.now();

  constructor(private readonly options: SimulatedPeripheralOptions = {}) {
    this.set(IDS_SERVICE, IDD_STATUS, this.status(TherapyControlState.run));
    this.set(IDS_SERVICE, IDD_ANNUNCIATION_STATUS, encodeIddAnnunciationStatus(null));
    this.set(BATTERY_SERVICE, BATTERY_LEVEL, encodeBatteryLevel(76));
    this.tick();
  }

  /** The driver's transport factory: each call opens the radio once more, `close()` releases it. */
  readonly factory: BleTransportFactory = async () => {
    this.openTransports++;
    return this;
  };

  status(therapy: number): Uint8Array {
    return encodeIddStatus({
      therapyControlState: therapy,
      operationalState: OperationalState.ready,
      reservoirRemaining_IU: 150,
      reservoirAttached: true,
    });
  }

  set(service: string, characteristic: string, value: Uint8Array): void {
    this.values.set(`${service}/${characteristic}`, value);
  }

  /** The pump's clock moves and its infusion telemetry with it. */
  tick(): void {
    this.ts += 1000;
    this.set(
      IDS_SERVICE,
      INFUSION_TELEMETRY,
      encodeInfusionTelemetry({
        ts: this.ts,
        rate_mL_h: 10,
        vi_mL: (this.ts % 100_000) / 1000,
        pressure_mmHg: 40,
      }),
    );
  }

  indicate(characteristic: string, value: Uint8Array): void {
    this.set(IDS_SERVICE, characteristic, value);
    this.subscribers.get(characteristic)?.(value);
  }

  /** Sends an indication without keeping it as the characteristic's value (a corrupt one, say). */
  indicateOnce(characteristic: string, value: Uint8Array): void {
    this.subscribers.get(characteristic)?.(value);
  }

  cutLink(): void {
    const drop = this.dropLink;
    this.dropLink = null;
    this.subscribers.clear();
    drop?.('connection timeout (0x08)');
  }

  async connect(address: string): Promise<BleConnection> {
    if (!this.inRange) throw new Error(`peripheral ${address} not found within 100 ms`);
    this.connects++;
    this.openConnections++;
    let alive = true;
    const end = () => {
      if (!alive) return;
      alive = false;
      this.openConnections--;
    };
    return {
      has: (service, characteristic) => this.values.has(`${service}/${characteristic}`),
      read: async (service, characteristic) => {
        if (!alive) throw new Error('not connected');
        this.reads++;
        if (this.readDelayMs) await new Promise((resolve) => setTimeout(resolve, this.readDelayMs));
        if (characteristic === INFUSION_TELEMETRY) return this.telemetry();
        const value = this.values.get(`${service}/${characteristic}`);
        if (!value) throw new Error(`no characteristic ${characteristic}`);
        return value;
      },
      subscribe: async (_service, characteristic, onValue) => {
        this.subscribers.set(characteristic, onValue);
      },
      onDisconnect: (listener) => {
        this.dropLink = (reason) => {
          end();
          listener(reason);
        };
      },
      disconnect: async () => {
        end();
        this.dropLink = null;
      },
    };
  }

  async close(): Promise<void> {
    this.openTransports = Math.max(0, this.openTransports - 1);
  }

  private telemetry(): Uint8Array {
    if (this.badTelemetryReads > 0) {
      this.badTelemetryReads--;
      return Uint8Array.of(0x03, 0x00, 0x01);
    }
    const { live } = this.options;
    if (live) {
      // Never the same ts twice, even for two reads within one millisecond.
      const ts = Math.max(Date.now(), (this.goodTelemetryTs.at(-1) ?? 0) + 1);
      this.set(
        IDS_SERVICE,
        INFUSION_TELEMETRY,
        encodeInfusionTelemetry({
          ts,
          rate_mL_h: live.rate_mL_h,
          vi_mL: live.vi_mL + (live.rate_mL_h * (ts - this.liveStart)) / 3_600_000,
          pressure_mmHg: 40,
        }),
      );
    }
    const value = this.values.get(`${IDS_SERVICE}/${INFUSION_TELEMETRY}`) as Uint8Array;
    this.goodTelemetryTs.push(Number(new DataView(value.buffer, value.byteOffset).getBigUint64(1, true)));
    return value;
  }
}
