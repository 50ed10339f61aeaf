import { stat } from 'node:fs/promises';
import { SerialPort } from 'serialport';
import { Backoff } from '../backoff.js';
import type { LinkState, PumpLinkStats, PumpSource, PumpSourceListener } from '../pump-source.js';
import { BoundedLineParser } from './line-parser.js';
import { decodeSerialLine, type SerialDecodeResult } from './serial-frame.js';

export interface SerialPumpSourceOptions {
  pumpId: string;
  /** Device path; `/dev/serial/by-id/…` symlinks are followed on every check. */
  path: string;
  baudRate: number;
  /** No valid frame for this long (port open) → link down. */
  linkTimeoutMs: number;
  /** How often the device is checked for having vanished or been replaced. */
  checkIntervalMs: number;
  reopenMinMs: number;
  reopenMaxMs: number;
  now?: () => number;
}

/** Decode errors are logged at most once per reason per this interval (then counted only). */
const ERROR_LOG_INTERVAL_MS = 60_000;
/** A counter jump larger than this is a pump restart, not lost frames. */
const MAX_COUNTED_GAP = 3600;

interface DeviceIdentity {
  dev: number;
  ino: number;
  rdev: number;
}

/**
 * One pump on one serial port, read only: the driver never writes to the port, toggles no control
 * line after open (hupcl off) and needs no polling, since a PW1 pump sends a frame every interval.
 *
 * Supervision: serialport emits `close` or `error` when a device goes away, but not always (a USB
 * adapter can vanish without either), so the device path is also stat'ed every `checkIntervalMs`; a
 * missing or replaced device closes the port. Every loss reports the link down and reopens with
 * backoff; the link comes up again on the first valid frame.
 */
export class SerialPumpSource implements PumpSource {
  readonly name: string;
  readonly pumpIds: readonly string[];
  private readonly now: () => number;
  private readonly backoff: Backoff;
  private listener: PumpSourceListener | null = null;
  private port: SerialPort | null = null;
  private identity: DeviceIdentity | null = null;
  private opening = false;
  private reopenTimer: NodeJS.Timeout | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  private checking = false;
  private reportedLink: LinkState | null = null;
  private lastValidAt = 0;
  private rejectedSinceValid = 0;
  private lastCounter: number | null = null;
  private readonly lastLoggedAt = new Map<string, number>();
  private readonly figures: PumpLinkStats = { decoded: 0, rejected: {}, missed: 0, reconnects: 0 };
  private everOpened = false;

  constructor(private readonly options: SerialPumpSourceOptions) {
    this.name = `serial:${options.path}`;
    this.pumpIds = [options.pumpId];
    this.now = options.now ?? Date.now;
    this.backoff = new Backoff(options.reopenMinMs, options.reopenMaxMs);
  }

  async start(listener: PumpSourceListener): Promise<void> {
    if (this.listener) return;
    this.listener = listener;
    this.checkTimer = setInterval(() => void this.check(), this.options.checkIntervalMs);
    await this.open();
  }

  async stop(): Promise<void> {
    if (!this.listener) return;
    if (this.checkTimer) clearInterval(this.checkTimer);
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.checkTimer = null;
    this.reopenTimer = null;
    await this.closePort();
    this.setLink('down', 'gateway stopped');
    this.listener = null;
  }

  stats(): Record<string, PumpLinkStats> {
    return { [this.options.pumpId]: { ...this.figures, rejected: { ...this.figures.rejected } } };
  }

  private async open(): Promise<void> {
    if (!this.listener || this.port || this.opening) return;
    this.opening = true;
    const { path, baudRate } = this.options;
    try {
      const identity = await deviceIdentity(path);
      const port = new SerialPort({ path, baudRate, autoOpen: false, hupcl: false, lock: true });
      await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
      if (!this.listener) {
        port.close(() => {});
        return;
      }
      this.port = port;
      this.identity = identity;
      if (this.everOpened) this.figures.reconnects++;
      this.everOpened = true;
      this.lastValidAt = this.now();
      this.rejectedSinceValid = 0;
      const parser = new BoundedLineParser();
      parser.on('data', (line: Buffer) => this.onLine(line));
      parser.on('overlong', () => this.reject({ ok: false, reason: 'overlong', detail: 'no line end' }));
      port.pipe(parser);
      port.on('close', (error?: Error | null) =>
        this.lost(port, error ? `serial port closed: ${error.message}` : 'serial port closed'),
      );
      port.on('error', (error: Error) => this.lost(port, `serial port error: ${error.message}`));
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.setLink('down', `cannot open ${path}: ${detail}`.slice(0, 200));
      this.scheduleReopen();
    } finally {
      this.opening = false;
    }
  }

  private onLine(line: Buffer): void {
    for (const result of decodeSerialLine(line)) {
      if (!result.ok) {
        this.reject(result);
        continue;
      }
      const { pumpId } = this.options;
      this.countGap(result.counter);
      this.figures.decoded++;
      this.lastValidAt = this.now();
      this.rejectedSinceValid = 0;
      this.backoff.reset();
      this.setLink('up');
      this.listener?.reading({ pumpId, sample: result.sample });
    }
  }

  private countGap(counter: number): void {
    if (this.lastCounter !== null) {
      const gap = (counter - this.lastCounter - 1) & 0xffff;
      if (gap > 0 && gap <= MAX_COUNTED_GAP) this.figures.missed += gap;
    }
    this.lastCounter = counter;
  }

  private reject(result: Extract<SerialDecodeResult, { ok: false }>): void {
    const { rejected } = this.figures;
    rejected[result.reason] = (rejected[result.reason] ?? 0) + 1;
    this.rejectedSinceValid++;
    const now = this.now();
    const last = this.lastLoggedAt.get(result.reason);
    if (last === undefined || now - last >= ERROR_LOG_INTERVAL_MS) {
      this.lastLoggedAt.set(result.reason, now);
      this.listener?.error(
        new Error(
          `serial frame skipped (${result.reason}): ${result.detail}; ${rejected[result.reason]} so far`,
        ),
        this.options.pumpId,
      );
    }
  }

  /** The periodic check: a vanished or replaced device, silence, or a port to reopen. */
  private async check(): Promise<void> {
    if (this.checking || !this.listener) return;
    this.checking = true;
    try {
      const port = this.port;
      if (!port) return;
      const current = await deviceIdentity(this.options.path).catch(() => null);
      if (this.port !== port) return;
      if (!current) {
        this.lost(port, 'device removed (unplugged?)');
        return;
      }
      const opened = this.identity;
      if (
        opened &&
        (current.rdev !== opened.rdev || current.ino !== opened.ino || current.dev !== opened.dev)
      ) {
        this.lost(port, 'device replaced (replugged)');
        return;
      }
      const silentMs = this.now() - this.lastValidAt;
      if (silentMs > this.options.linkTimeoutMs && this.reportedLink !== 'down') {
        const hint =
          this.rejectedSinceValid > 0
            ? `; ${this.rejectedSinceValid} corrupt lines: check the baud rate and the cable`
            : '';
        this.setLink('down', `no valid frame for ${Math.round(silentMs / 1000)} s${hint}`);
      }
    } finally {
      this.checking = false;
    }
  }

  private lost(port: SerialPort, reason: string): void {
    if (this.port !== port) return;
    this.port = null;
    this.identity = null;
    port.removeAllListeners('data');
    if (port.isOpen) port.close(() => {});
    this.setLink('down', reason);
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (!this.listener || this.reopenTimer) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      void this.open();
    }, this.backoff.next());
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port) return;
    port.removeAllListeners('close');
    port.removeAllListeners('error');
    port.on('error', () => {});
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  private setLink(state: LinkState, reason?: string): void {
    if (this.reportedLink === state) return;
    this.reportedLink = state;
    this.listener?.link(this.options.pumpId, state, reason);
  }
}

async function deviceIdentity(path: string): Promise<DeviceIdentity> {
  const { dev, ino, rdev } = await stat(path);
  return { dev, ino, rdev };
}
