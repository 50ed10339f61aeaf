import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort } from './ports.js';
import { waitFor } from './wait.js';

export interface RunningMosquitto {
  url: string;
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
  /** A crash: no shutdown, so nothing saved since the last autosave. */
  kill(): Promise<void>;
}

export interface MosquittoOptions {
  /** A fixed port, to restart the broker where its clients reconnect. */
  port?: number;
  /**
   * Persistence in this directory, saved every `autosaveS` seconds (Mosquitto's periodic snapshot):
   * a SIGKILL loses what it acknowledged since the last save.
   */
  persistenceDir?: string;
  autosaveS?: number;
}

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'];

/**
 * A real Mosquitto (Debian's package) on a free loopback port with a throwaway config and no
 * persistence, for the integration tests and the benchmark (scripts/support/mosquitto.ts). Open to
 * anonymous clients unless `extraConfig` brings its own authentication settings.
 */
export async function startMosquitto(
  extraConfig = '',
  options: MosquittoOptions = {},
): Promise<RunningMosquitto> {
  const binary = MOSQUITTO.find((candidate) => existsSync(candidate));
  if (!binary)
    throw new Error('mosquitto is not installed (apt-get install mosquitto; npm test installs it)');
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'pw-mosquitto-'));
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      ...(extraConfig.includes('allow_anonymous') ? [] : ['allow_anonymous true']),
      ...(options.persistenceDir
        ? [
            'persistence true',
            `persistence_location ${options.persistenceDir}/`,
            `autosave_interval ${options.autosaveS ?? 5}`,
          ]
        : ['persistence false']),
      // Errors and warnings only: a line per connection for thousands of fake hubs would fill the pipe
      // whenever this process is busy, and a broker blocked on its log stops answering.
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      extraConfig,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-10_000);
  });
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  await waitFor(
    async () => {
      if (exited) throw new Error(`mosquitto exited: ${stderr}`);
      return canConnect(port);
    },
    { timeoutMs: 10_000, what: `mosquitto on port ${port}` },
  );
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    pid: child.pid as number,
    version: mosquittoVersion(binary),
    async stop() {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await done;
    },
    async kill() {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await done;
    },
  };
}

function mosquittoVersion(binary: string): string {
  const help = spawnSync(binary, ['-h'], { encoding: 'utf8' });
  return /mosquitto version (\S+)/.exec(`${help.stdout}${help.stderr}`)?.[1] ?? 'unknown';
}
