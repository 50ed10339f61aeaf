import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait.js';

/**
 * A pseudo-terminal pair from socat: a virtual serial cable. The simulated pump writes to `pumpEnd`,
 * the gateway reads `gatewayEnd` (or the `/dev/serial/by-id`-style symlink `byId` to it). `unplug()`
 * kills socat, so both devices vanish as a USB adapter does when pulled; `replug()` creates the pair
 * again under the same names.
 */
export class PtyPair {
  private child: ChildProcess | null = null;
  readonly pumpEnd: string;
  readonly gatewayEnd: string;
  /** A stable symlink to the gateway end, as udev makes under /dev/serial/by-id. */
  readonly byId: string;

  private constructor(dir: string, name: string) {
    this.pumpEnd = join(dir, `${name}-pump`);
    this.gatewayEnd = join(dir, `${name}-gw`);
    mkdirSync(join(dir, 'by-id'), { recursive: true });
    this.byId = join(dir, 'by-id', `usb-pumpwatch_sim_${name}-if00-port0`);
  }

  static async create(dir: string, name: string): Promise<PtyPair> {
    const pair = new PtyPair(dir, name);
    symlinkSync(pair.gatewayEnd, pair.byId);
    await pair.replug();
    return pair;
  }

  get plugged(): boolean {
    return this.child !== null;
  }

  async replug(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${this.pumpEnd}`, `pty,raw,echo=0,link=${this.gatewayEnd}`],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    this.child = child;
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`socat exited: ${stderr}`);
        return existsSync(this.pumpEnd) && existsSync(this.gatewayEnd);
      },
      { timeoutMs: 5000, intervalMs: 20, what: `socat PTY pair ${this.gatewayEnd}` },
    );
  }

  /** Pulls the cable: socat dies without cleaning up, its symlinks are removed like udev's. */
  async unplug(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.pumpEnd, { force: true });
    rmSync(this.gatewayEnd, { force: true });
  }

  async close(): Promise<void> {
    await this.unplug();
    rmSync(this.byId, { force: true });
  }
}
