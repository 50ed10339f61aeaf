import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcessOptions {
  dataDir: string;
  httpPort?: number;
  mqttPort?: number;
  /** An external broker; without it the child embeds aedes on `mqttPort`. */
  mqttUrl?: string;
  /** YAML or JSON config file for everything the environment does not set. */
  configFile?: string;
  env?: Record<string, string>;
}

/**
 * The real server as a child process (`tsx server/src/main.ts`), for what only a process can show:
 * SIGKILL in the middle of work, and a restart on the same data directory and ports.
 */
export class ServerProcess {
  private child: ChildProcess | null = null;
  output = '';

  private constructor(
    private readonly options: ServerProcessOptions,
    readonly httpPort: number,
    readonly mqttPort: number,
  ) {}

  static async start(options: ServerProcessOptions): Promise<ServerProcess> {
    const server = new ServerProcess(
      options,
      options.httpPort ?? (await freePort()),
      options.mqttPort ?? (await freePort()),
    );
    await server.start();
    return server;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** The running child's pid, to read its memory from /proc. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get mqttUrl(): string {
    return this.options.mqttUrl ?? `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  async start(): Promise<void> {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PUMPWATCH_HTTP_PORT: String(this.httpPort),
      PUMPWATCH_MQTT_PORT: String(this.mqttPort),
      PUMPWATCH_DATA_DIR: this.options.dataDir,
      PUMPWATCH_LOG_LEVEL: 'warn',
      // Functional suites; the security suite passes PUMPWATCH_AUTH_MODE=required in `env`.
      PUMPWATCH_AUTH_MODE: 'disabled',
      ...(this.options.mqttUrl ? { PUMPWATCH_MQTT_URL: this.options.mqttUrl } : {}),
      ...(this.options.configFile ? { PUMPWATCH_CONFIG: this.options.configFile } : {}),
      ...this.options.env,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${this.output}`);
        const response = await fetch(`${this.httpUrl}/api/health`).catch(() => null);
        return response?.status === 200;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the server process to be healthy' },
    );
  }

  /** Power-cut semantics: no shutdown code runs. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }
}
