/**
 * The BLE transport port: the little the driver needs from a radio, at the level of GATT values. The
 * noble adapter implements it on real hardware; tests implement it with a simulated peripheral, so the
 * decode and reconnect logic is tested without a radio. UUIDs are lowercase hex without dashes.
 */
export interface BleTransport {
  /** Scans for the peripheral (address `aa:bb:…`, or its local name) and connects; rejects on timeout. */
  connect(address: string, options: { timeoutMs: number }): Promise<BleConnection>;
  /** Releases the radio. */
  close(): Promise<void>;
}

export interface BleConnection {
  /** Whether the peripheral exposes this characteristic (Battery Level is optional). */
  has(service: string, characteristic: string): boolean;
  read(service: string, characteristic: string): Promise<Uint8Array>;
  /** Subscribes to notifications or indications; resolves once the peripheral accepted. */
  subscribe(service: string, characteristic: string, onValue: (value: Uint8Array) => void): Promise<void>;
  /** Called once when the link drops without `disconnect()`. */
  onDisconnect(listener: (reason: string) => void): void;
  disconnect(): Promise<void>;
}

export type BleTransportFactory = () => Promise<BleTransport>;
