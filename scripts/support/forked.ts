import { type ChildProcess, fork } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

/**
 * A TypeScript script forked with an IPC channel (`node --import tsx`): the benchmark's broker, bare
 * subscriber and load generator each run in their own process so none of them steals the event loop
 * of what is measured.
 */
export class Forked {
  private readonly listeners = new Set<(message: ChildMessage) => void>();
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: ChildMessage) => {
      for (const listener of this.listeners) listener(message);
    });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-10_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Forks `script` (relative to the repository root) and waits for its `ready` message. */
  static async start(
    script: string,
    args: string[] = [],
    timeoutMs = 120_000,
  ): Promise<{ child: Forked; ready: ChildMessage }> {
    const child = new Forked(
      fork(resolve(root, script), args, {
        cwd: root,
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      }),
    );
    const ready = await child.next('ready', timeoutMs);
    return { child, ready };
  }

  get pid(): number {
    return this.child.pid as number;
  }

  send(message: ChildMessage): void {
    if (this.child.connected) this.child.send(message);
  }

  on(listener: (message: ChildMessage) => void): void {
    this.listeners.add(listener);
  }

  /** The next message of `type`; rejects if the child exits or `timeoutMs` passes first. */
  next(type: string, timeoutMs = 10_000): Promise<ChildMessage> {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(
        () => done(new Error(`no ${type} message within ${timeoutMs} ms: ${this.output}`)),
        timeoutMs,
      );
      const onExit = (code: number | null) =>
        done(new Error(`child exited (${code}) before ${type}: ${this.output}`));
      const listener = (message: ChildMessage) => {
        if (message.type === type) done(null, message);
      };
      const done = (error: Error | null, message?: ChildMessage) => {
        clearTimeout(timer);
        this.listeners.delete(listener);
        this.child.off('exit', onExit);
        if (error) reject(error);
        else resolvePromise(message as ChildMessage);
      };
      this.listeners.add(listener);
      this.child.once('exit', onExit);
    });
  }

  /** Sends `request` and waits for the reply of `replyType`. */
  async ask(request: ChildMessage, replyType: string, timeoutMs = 10_000): Promise<ChildMessage> {
    const reply = this.next(replyType, timeoutMs);
    this.send(request);
    return reply;
  }

  /** Asks the child to stop, then kills it if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    this.send({ type: 'stop' });
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
