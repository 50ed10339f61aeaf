import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';

export interface RunningMosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'];

/** Starts a real Mosquitto (Debian's package) on a free loopback port with a throwaway config. */
export async function startMosquitto(extraConfig = ''): Promise<RunningMosquitto> {
  const binary = MOSQUITTO.find((candidate) => existsSync(candidate)) ?? 'mosquitto';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pw-mosquitto-'));
  const configFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      // Open unless the caller brings its own authentication settings.
      ...(extraConfig.includes('allow_anonymous') ? [] : ['allow_anonymous true']),
      'persistence false',
      extraConfig,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
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
    async stop() {
      if (exited) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await done;
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
