import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createServiceNotifier, watchdogPeriodMs } from '../src/systemd-notify.js';

const dir = mkdtempSync(join(tmpdir(), 'pumpwatch-notify-'));
/** A stand-in for systemd-notify that records its arguments, one call a line. */
function fakeNotify(name: string): { command: string; calls: () => string[] } {
  const log = join(dir, `${name}.log`);
  const command = join(dir, `${name}.sh`);
  writeFileSync(command, `#!/bin/sh\necho "$*" >> ${log}\n`);
  chmodSync(command, 0o755);
  return { command, calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []) };
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('systemd notifications', () => {
  it('reads WatchdogSec from WATCHDOG_USEC, only when it is meant for this process', () => {
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '30000000' })).toBe(30_000);
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid) })).toBe(30_000);
    expect(watchdogPeriodMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: String(process.pid + 1) })).toBeNull();
    expect(watchdogPeriodMs({})).toBeNull();
    expect(watchdogPeriodMs({ WATCHDOG_USEC: 'soon' })).toBeNull();
  });

  it('spawns nothing outside systemd', async () => {
    const fake = fakeNotify('outside');
    const notifier = createServiceNotifier({
      env: { WATCHDOG_USEC: '90000' },
      alive: () => true,
      onError: () => {},
      command: fake.command,
    });
    notifier.ready();
    await sleep(150);
    notifier.stopping();
    await sleep(50);
    expect(fake.calls()).toEqual([]);
  });

  it('sends READY=1, pings while alive, stops pinging when not, and says STOPPING=1', async () => {
    const fake = fakeNotify('inside');
    let alive = true;
    const notifier = createServiceNotifier({
      env: { NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '90000' },
      alive: () => alive,
      onError: (error) => {
        throw error;
      },
      command: fake.command,
    });
    notifier.ready();
    await sleep(200);
    const whileAlive = fake.calls().length;
    expect(fake.calls()[0]).toBe('--ready');
    expect(fake.calls().filter((call) => call === 'WATCHDOG=1').length).toBeGreaterThanOrEqual(3);
    alive = false;
    await sleep(150);
    // At most a ping already on its way when the gateway stopped running.
    expect(fake.calls().length).toBeLessThanOrEqual(whileAlive + 1);
    notifier.stopping();
    await sleep(100);
    expect(fake.calls().at(-1)).toBe('STOPPING=1');
    notifier.close();
  });
});
