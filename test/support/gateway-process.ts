import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The real gateway as a child process (`node --import tsx gateway/src/main.ts --config …`), for what
 * only a process shows: SIGKILL mid-stream (a power cut, as far as the gateway can tell) and a restart
 * on the same data directory. Its status endpoint URL is read from its log.
 */
export class GatewayProcess {
  private child: ChildProcess | null = null;
  output = '';
  statusUrl: string | null = null;

  constructor(
    private readonly configFile: string,
    private readonly env: Record<string, string> = {},
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'gateway/src/main.ts', '--config', this.configFile],
      {
        cwd: root,
        env: { ...process.env, PUMPWATCH_LOG_LEVEL: 'info', ...this.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.statusUrl = null;
    this.output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+\/status)"/.exec(this.output.slice(-4000));
      if (match?.[1]) this.statusUrl = match[1];
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${this.output}`);
        return this.statusUrl !== null;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the gateway process status endpoint' },
    );
  }

  /** SIGKILL: no shutdown code runs, as in a power cut. SIGTERM: the graceful stop. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolveExit) =>
      child.once('exit', (code) => resolveExit(code)),
    );
    child.kill(signal);
    const code = await exited;
    this.child = null;
    return code;
  }
}
