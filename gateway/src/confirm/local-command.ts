import { execFile } from 'node:child_process';
import type { Logger } from '../logger.js';

export type CommandRunner = (argv: readonly string[], env: Record<string, string>) => void;

/**
 * Runs a configured local command (argv, no shell) to tell the household: a buzzer, an LED, a spoken
 * message. Its failure is logged, never thrown: the gateway keeps its samples whatever a buzzer does.
 */
export function localCommandRunner(logger: Logger, timeoutMs: number): CommandRunner {
  return (argv, env) => {
    const [file, ...args] = argv;
    if (!file) return;
    execFile(
      file,
      args,
      { timeout: timeoutMs, env: { ...process.env, ...env } },
      (error, _stdout, stderr) => {
        if (error)
          logger.error({ err: error, command: file, stderr: stderr.slice(0, 500) }, 'local command failed');
        else logger.info({ command: file }, 'local command ran');
      },
    );
  };
}
