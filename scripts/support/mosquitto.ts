import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort, waitFor } from './proc.js';

export interface RunningMosquitto {
  url: string;
  port: number;
  pid: number;
  version: string;
  stop(): Promise<void>;
}

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'];

/**
 * Queue settings for a broker in front of one server subscriber. Mosquitto's defaults (20 messages in
 * flight per client, 1,000 queued) capped the server's intake near 15,000 msg/s while it had CPU to
 * spare, and dropped telemetry the hubs had already had acknowledged once the server fell 1,000
 * messages behind (docs/benchmarks.md); the bare relay gets the same settings.
 */
export const BENCH_MOSQUITTO_CONFIG = ['max_inflight_messages 1000', 'max_queued_messages 1000000'].join(
  '\n',
);

/**
 * A real Mosquitto (Debian's package) on a free loopback port with a throwaway config, without
 * persistence. Shared by the benchmark; test/support/mosquitto.ts is the tests' twin.
 */
export async function startMosquitto(extraConfig = ''): Promise<RunningMosquitto> {
  const binary = MOSQUITTO.find((candidate) => existsSync(candidate));
  if (!binary)
    throw new Error('mosquitto is not installed (apt-get install mosquitto; npm test installs it)');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pw-bench-mosquitto-'));
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
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
  };
}

function mosquittoVersion(binary: string): string {
  const help = spawnSync(binary, ['-h'], { encoding: 'utf8' });
  return /mosquitto version (\S+)/.exec(`${help.stdout}${help.stderr}`)?.[1] ?? 'unknown';
}
