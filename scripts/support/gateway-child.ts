import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** Clock ticks per second of /proc/<pid>/stat's CPU fields. */
export const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/**
 * The real gateway as a child of a benchmark: `node <args>` from the repository root, resolved once it
 * logs "gateway started". Its log is kept only until then.
 */
export async function startGateway(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, PUMPWATCH_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    if (!output.includes('gateway started')) output += chunk.toString();
  });
  while (!output.includes('gateway started')) {
    if (child.exitCode !== null) throw new Error(`gateway exited: ${output}`);
    await sleep(10);
  }
  return child;
}

/** `npm run gateway`'s command line: through tsx. */
export const tsxGatewayArgs = (configFile: string): string[] => [
  '--import',
  'tsx',
  'gateway/src/main.ts',
  '--config',
  configFile,
];

export async function stopGateway(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** utime + stime of a process so far, in clock ticks (proc(5)). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
  return Number(fields[11]) + Number(fields[12]);
}

/** A `kB` line of /proc/<pid>/status (VmRSS, VmHWM), in bytes. */
export function procStatusBytes(pid: number, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}
