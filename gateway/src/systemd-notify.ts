import { execFile } from 'node:child_process';

/**
 * sd_notify for the hub's systemd unit (deploy/gateway/pumpwatch-gateway.service: Type=notify,
 * WatchdogSec). Node cannot send on a unix datagram socket without a native addon, so each message is
 * sent by the `systemd-notify` command (package systemd, on every Debian hub). The unit sets
 * NotifyAccess=all because the sender is that child, not the main process; systemd-notify waits for the
 * manager to take the message (its barrier, systemd ≥ 246), so the message is not lost when the child
 * exits first. Outside systemd (no NOTIFY_SOCKET) nothing is sent and nothing is spawned.
 */
export interface ServiceNotifier {
  /** Start-up finished: systemd considers the unit started and begins watching. */
  ready(): void;
  /** A graceful stop has begun: systemd no longer expects watchdog pings. */
  stopping(): void;
  /** Stops the pings (at exit). */
  close(): void;
}

export interface ServiceNotifierOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** The liveness check: a ping is sent only while it holds (the gateway is running). */
  alive: () => boolean;
  onError: (error: unknown) => void;
  /** The command; a test may point at a stand-in. */
  command?: string;
}

/** A ping this many times per WatchdogSec: one slow `systemd-notify` start does not miss the deadline. */
const PINGS_PER_WATCHDOG_PERIOD = 3;
const SEND_TIMEOUT_MS = 5_000;

export function createServiceNotifier(options: ServiceNotifierOptions): ServiceNotifier {
  const { env, alive, onError } = options;
  if (!env.NOTIFY_SOCKET) return { ready() {}, stopping() {}, close() {} };
  const command = options.command ?? 'systemd-notify';
  let failed = false;
  const send = (...args: string[]): void => {
    execFile(command, args, { env: { ...env }, timeout: SEND_TIMEOUT_MS }, (error) => {
      // Reported once: a hub whose systemd-notify is broken would otherwise log every few seconds.
      if (error && !failed) onError(error);
      failed ||= error !== null;
    });
  };

  const periodMs = watchdogPeriodMs(env);
  let timer: NodeJS.Timeout | null = null;
  return {
    ready() {
      send('--ready');
      if (periodMs === null || timer) return;
      // An event loop that is blocked, or a gateway that is no longer running, stops the pings and
      // systemd restarts the unit after WatchdogSec.
      timer = setInterval(() => {
        if (alive()) send('WATCHDOG=1');
      }, periodMs / PINGS_PER_WATCHDOG_PERIOD);
      timer.unref();
    },
    stopping() {
      if (timer) clearInterval(timer);
      timer = null;
      send('STOPPING=1');
    },
    close() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

/** WatchdogSec in ms when systemd watches this very process (sd_watchdog_enabled), else null. */
export function watchdogPeriodMs(env: Readonly<Record<string, string | undefined>>): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== process.pid) return null;
  return usec / 1000;
}
