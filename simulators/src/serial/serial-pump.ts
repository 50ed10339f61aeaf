import { SerialPort } from 'serialport';
import type { PumpModel } from '../pump-model.js';
import { encodeSerialFrame } from './serial-frame.js';

export interface SerialPumpOptions {
  /** Serial device the pump writes to: one end of a PTY pair, or a real port. */
  path: string;
  baudRate?: number;
  /** The pump's physics; its clock is advanced here. */
  model: PumpModel;
  /** Wall-clock ms between frames (default 1000: 1 Hz). */
  intervalMs?: number;
  /** Simulated time runs this much faster than the wall clock (default 1). */
  speed?: number;
  now?: () => number;
  /** While the device is missing (an unplugged PTY), try to open it again this often (default 200 ms). */
  reopenMs?: number;
}

/**
 * A simulated pump with a serial port: it writes one protocol frame per interval to `path` and reopens
 * the device when it disappears and comes back (a test unplugging the PTY). It also reads the line and
 * counts what it receives, because the gateway must never send a pump anything.
 */
export class SerialPump {
  private port: SerialPort | null = null;
  private timer: NodeJS.Timeout | null = null;
  private reopenTimer: NodeJS.Timeout | null = null;
  private counter = 0;
  private stopped = false;
  private wallStart = 0;
  private simStart = 0;
  private readonly now: () => number;
  /** Frames written to an open port (frames produced while unplugged are lost, as on a real cable). */
  framesWritten = 0;
  framesLost = 0;
  /** Bytes the other end sent to the pump: a read-only gateway leaves this at 0. */
  bytesReceived = 0;
  /** Event time of the last frame written. */
  lastTs = 0;

  constructor(private readonly options: SerialPumpOptions) {
    this.now = options.now ?? Date.now;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async start(): Promise<void> {
    this.wallStart = this.now();
    this.simStart = this.options.model.sample().ts;
    await this.open().catch(() => this.scheduleReopen());
    this.timer = setInterval(() => this.tick(), this.options.intervalMs ?? 1000);
  }

  /** Writes raw bytes (noise, a partial frame) between the pump's own frames. */
  async inject(bytes: Uint8Array | string): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new Error(`serial pump ${this.options.path} is not open`);
    await new Promise<void>((resolve, reject) => {
      port.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes));
      port.drain((error) => (error ? reject(error) : resolve()));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.reopenTimer) clearTimeout(this.reopenTimer);
    this.timer = null;
    this.reopenTimer = null;
    await this.closePort();
  }

  private tick(): void {
    const { model } = this.options;
    const simTs = this.simStart + Math.round((this.now() - this.wallStart) * (this.options.speed ?? 1));
    model.advance(Math.max(simTs, this.lastTs));
    if (!model.reporting) return;
    const sample = model.sample();
    const frame = encodeSerialFrame(sample, this.counter);
    this.counter = (this.counter + 1) & 0xffff;
    this.lastTs = sample.ts;
    const port = this.port;
    if (!port?.isOpen) {
      this.framesLost++;
      return;
    }
    port.write(frame, 'latin1', (error) => {
      if (error) this.framesLost++;
    });
    this.framesWritten++;
  }

  private open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({
        path: this.options.path,
        baudRate: this.options.baudRate ?? 9600,
        hupcl: false,
        autoOpen: false,
      });
      port.open((error) => {
        if (error) {
          reject(error);
          return;
        }
        this.port = port;
        port.on('data', (chunk: Buffer) => {
          this.bytesReceived += chunk.length;
        });
        port.on('error', () => this.lost(port));
        port.on('close', () => this.lost(port));
        resolve();
      });
    });
  }

  private lost(port: SerialPort): void {
    if (this.port !== port) return;
    this.port = null;
    if (port.isOpen) port.close(() => {});
    this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.stopped || this.reopenTimer) return;
    this.reopenTimer = setTimeout(() => {
      this.reopenTimer = null;
      if (this.stopped || this.port) return;
      this.open().catch(() => this.scheduleReopen());
    }, this.options.reopenMs ?? 200);
  }

  private async closePort(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}
