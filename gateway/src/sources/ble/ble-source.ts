import { Backoff } from '../backoff.js';
import type { LinkState, PumpLinkStats, PumpSource, PumpSourceListener } from '../pump-source.js';
import type { BleConnection, BleTransport, BleTransportFactory } from './ble-transport.js';
import {
  type BleDecoded,
  decodeBatteryLevel,
  decodeIddAnnunciationStatus,
  decodeIddStatus,
  decodeIddStatusChanged,
  decodeInfusionTelemetry,
  IDS_UUIDS as U,
} from './ids-decode.js';
import { applyAnnunciation, type IdsPumpView, idsSample } from './ids-state.js';

export interface BlePumpSourceOptions {
  pumpId: string;
  /** Peripheral address (`aa:bb:cc:dd:ee:ff`) or local name. */
  address: string;
  /** Values end with E2E-Counter and E2E-CRC (the pump's IDD Features say so). */
  e2e: boolean;
  /** How often the telemetry is read and a sample emitted, when reads are quick. */
  intervalMs: number;
  /** Reads slower than this back the polling off, up to `maxIntervalMs`. */
  maxIntervalMs: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Loads the radio transport; called (and retried) only when a BLE pump is configured. */
  transport: BleTransportFactory;
}

/** Consecutive failed reads after which the link is treated as lost and reconnected. */
const MAX_FAILED_READS = 3;

/**
 * One BLE pump laid out after the Insulin Delivery Service. Read only: it reads characteristics and
 * subscribes to indications, and never writes a control point, so it cannot change a delivery.
 *
 * Connects with backoff; on connect it reads IDD Status, Annunciation Status, the infusion telemetry
 * and battery, subscribes to Status Changed (re-reading what it flags) and Annunciation Status, then
 * reads the telemetry every `intervalMs` and emits a sample for each value that decodes. A read slower than half the interval
 * doubles the interval (up to `maxIntervalMs`), so a busy pump is polled gently; reads quicker than a
 * quarter of it shrink it back. A dropped link, or three failed reads in a row, reports the link down and reconnects.
 */
export class BlePumpSource implements PumpSource {
  readonly name: string;
  readonly pumpIds: readonly string[];
  private readonly backoff: Backoff;
  private listener: PumpSourceListener | null = null;
  private transport: BleTransport | null = null;
  private connection: BleConnection | null = null;
  private connecting = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private pollIntervalMs: number;
  private failedReads = 0;
  private reportedLink: LinkState | null = null;
  private view: IdsPumpView = { status: null, telemetry: null, annunciations: new Map() };
  private readonly figures: PumpLinkStats = { decoded: 0, rejected: {}, missed: 0, reconnects: 0 };
  private everConnected = false;

  constructor(private readonly options: BlePumpSourceOptions) {
    this.name = `ble:${options.address}`;
    this.pumpIds = [options.pumpId];
    this.pollIntervalMs = options.intervalMs;
    this.backoff = new Backoff(options.reconnectMinMs, options.reconnectMaxMs);
  }

  /** The current polling interval (grows while the pump is slow to answer). */
  get intervalMs(): number {
    return this.pollIntervalMs;
  }

  async start(listener: PumpSourceListener): Promise<void> {
    if (this.listener) return;
    this.listener = listener;
    // Not awaited: a hub whose radio or pump is away still starts, and keeps trying.
    void this.connect();
  }

  async stop(): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    // Off first: a connect or read still under way sees the source stopped, releases what it opened
    // (connect()) and emits nothing, instead of bringing the link up during the awaits below.
    this.listener = null;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.reconnectTimer = null;
    this.pollTimer = null;
    const connection = this.connection;
    const transport = this.transport;
    this.connection = null;
    this.transport = null;
    await connection?.disconnect().catch(() => {});
    await transport?.close().catch(() => {});
    if (this.reportedLink !== 'down') {
      this.reportedLink = 'down';
      listener.link(this.options.pumpId, 'down', 'gateway stopped');
    }
  }

  stats(): Record<string, PumpLinkStats> {
    return { [this.options.pumpId]: { ...this.figures, rejected: { ...this.figures.rejected } } };
  }

  private async connect(): Promise<void> {
    if (!this.listener || this.connection || this.connecting) return;
    this.connecting = true;
    let connection: BleConnection | null = null;
    try {
      const transport = this.transport ?? (await this.options.transport());
      if (!this.listener) {
        await transport.close().catch(() => {});
        return;
      }
      this.transport = transport;
      connection = await transport.connect(this.options.address, {
        timeoutMs: this.options.connectTimeoutMs,
      });
      if (!this.listener) {
        await connection.disconnect().catch(() => {});
        return;
      }
      const current = connection;
      let dropped: string | null = null;
      current.onDisconnect((reason) => {
        dropped = reason;
        this.lost(current, `BLE link lost: ${reason}`);
      });
      this.view = { status: null, telemetry: null, annunciations: new Map() };
      await this.readStatus(current);
      await this.readAnnunciation(current);
      await this.readTelemetry(current);
      await current.subscribe(
        U.service,
        U.statusChanged,
        (value) => void this.onStatusChanged(current, value),
      );
      await current.subscribe(U.service, U.annunciationStatus, (value) => this.onAnnunciation(value, true));
      if (dropped !== null) throw new Error(`link lost while setting up: ${dropped}`);
      if (this.connection !== null || !this.listener) {
        // Stopped while setting up: nobody else knows of this connection, so it is closed here.
        await current.disconnect().catch(() => {});
        return;
      }
      this.connection = current;
      if (this.everConnected) this.figures.reconnects++;
      this.everConnected = true;
      this.failedReads = 0;
      this.backoff.reset();
      this.setLink('up');
      this.emit();
      this.schedulePoll();
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      if (connection) await connection.disconnect().catch(() => {});
      this.setLink('down', `BLE: ${detail}`.slice(0, 200));
      this.scheduleReconnect();
    } finally {
      this.connecting = false;
    }
  }

  private async onStatusChanged(connection: BleConnection, value: Uint8Array): Promise<void> {
    const changed = this.accept(decodeIddStatusChanged(value, { e2e: this.options.e2e }));
    if (!changed) return;
    try {
      if (changed.therapyControlState || changed.operationalState) await this.readStatus(connection);
      if (changed.annunciationStatus) {
        await this.readAnnunciation(connection);
        this.emit();
      }
    } catch (error) {
      this.readFailed(connection, error);
    }
  }

  private onAnnunciation(value: Uint8Array, emitNow: boolean): void {
    const annunciation = this.accept(decodeIddAnnunciationStatus(value, { e2e: this.options.e2e }));
    if (annunciation === undefined) return;
    this.view = { ...this.view, annunciations: applyAnnunciation(this.view.annunciations, annunciation) };
    // A new alarm goes out at once rather than at the next poll.
    if (emitNow && this.connection) this.emit();
  }

  private async readStatus(connection: BleConnection): Promise<void> {
    const status = this.accept(decodeIddStatus(await this.read(connection, U.service, U.status), this.e2e()));
    if (status) this.view = { ...this.view, status };
  }

  private async readAnnunciation(connection: BleConnection): Promise<void> {
    this.onAnnunciation(await this.read(connection, U.service, U.annunciationStatus), false);
  }

  /** True when a telemetry value was decoded; a bad one leaves the last good one in the view. */
  private async readTelemetry(connection: BleConnection): Promise<boolean> {
    const telemetry = this.accept(
      decodeInfusionTelemetry(await this.read(connection, U.service, U.infusionTelemetry)),
    );
    if (telemetry) this.view = { ...this.view, telemetry };
    if (connection.has(U.batteryService, U.batteryLevel)) {
      const level = this.accept(
        decodeBatteryLevel(await this.read(connection, U.batteryService, U.batteryLevel)),
      );
      if (level !== undefined) this.view = { ...this.view, battery_pct: level };
    }
    return telemetry !== undefined;
  }

  private schedulePoll(): void {
    if (!this.connection || !this.listener) return;
    this.pollTimer = setTimeout(() => void this.poll(), this.pollIntervalMs);
  }

  private async poll(): Promise<void> {
    this.pollTimer = null;
    const connection = this.connection;
    if (!connection) return;
    const started = Date.now();
    try {
      const fresh = await this.readTelemetry(connection);
      this.failedReads = 0;
      const tookMs = Date.now() - started;
      const { intervalMs, maxIntervalMs } = this.options;
      // Hysteresis: slower than half the interval doubles it, quicker than a quarter halves it.
      if (tookMs > this.pollIntervalMs / 2)
        this.pollIntervalMs = Math.min(maxIntervalMs, this.pollIntervalMs * 2);
      else if (tookMs < this.pollIntervalMs / 4)
        this.pollIntervalMs = Math.max(intervalMs, Math.round(this.pollIntervalMs / 2));
      // A bad value is no news: sending the last good one again would hide a pump that only sends
      // garbage behind samples that look alive, and its silence must reach the server (pump_offline).
      if (fresh && this.connection === connection) this.emit();
    } catch (error) {
      this.readFailed(connection, error);
    }
    if (this.connection === connection) this.schedulePoll();
  }

  private readFailed(connection: BleConnection, error: unknown): void {
    this.failedReads++;
    this.count('read_failed');
    this.pollIntervalMs = Math.min(this.options.maxIntervalMs, this.pollIntervalMs * 2);
    if (this.failedReads >= MAX_FAILED_READS) {
      const detail = error instanceof Error ? error.message : String(error);
      this.lost(connection, `${MAX_FAILED_READS} reads failed: ${detail}`);
      void connection.disconnect().catch(() => {});
    }
  }

  private read(connection: BleConnection, service: string, characteristic: string): Promise<Uint8Array> {
    return withTimeout(
      connection.read(service, characteristic),
      this.options.readTimeoutMs,
      `read ${characteristic}`,
    );
  }

  private emit(): void {
    const sample = idsSample(this.view);
    if (sample) this.listener?.reading({ pumpId: this.options.pumpId, sample });
  }

  private lost(connection: BleConnection, reason: string): void {
    if (this.connection !== connection) return;
    this.connection = null;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    this.setLink('down', reason.slice(0, 200));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (!this.listener || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, this.backoff.next());
  }

  /** The decoded value, or undefined after counting the error by reason. */
  private accept<T>(decoded: BleDecoded<T>): T | undefined {
    if (decoded.ok) {
      this.figures.decoded++;
      return decoded.value;
    }
    this.count(decoded.reason);
    this.listener?.error(
      new Error(`BLE value skipped (${decoded.reason}): ${decoded.detail}`),
      this.options.pumpId,
    );
    return undefined;
  }

  private count(reason: string): void {
    this.figures.rejected[reason] = (this.figures.rejected[reason] ?? 0) + 1;
  }

  private e2e() {
    return { e2e: this.options.e2e };
  }

  private setLink(state: LinkState, reason?: string): void {
    // Stopped: what was last reported stays what the listener knows, so stop() can report it down.
    if (!this.listener || this.reportedLink === state) return;
    this.reportedLink = state;
    this.listener.link(this.options.pumpId, state, reason);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
