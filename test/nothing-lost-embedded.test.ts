import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultRig } from './support/fault-rig.js';
import { expectNothingLost } from './support/nothing-lost.js';
import { sleep, waitFor } from './support/wait.js';

/**
 * Issue 15 with the server's embedded aedes (the default install): the broker dies with the server.
 * Also the household's alarm ("monitoring not confirmed"), a long WAN outage at full rate, and a
 * control run that shows the rig catches the loss of a PUBACK-only gateway.
 */
const PUMPS = 20;
const INTERVAL_MS = 100;

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('nothing lost end to end: gateway → embedded aedes in the server', () => {
  it('the server (and with it the broker) SIGKILLed during ingest; the hub alarms once while nobody confirms', async () => {
    const marks = join(tmpdir(), `pw-alarm-${process.pid}-${Date.now()}.log`);
    rig = await FaultRig.start({
      broker: 'embedded',
      pumps: PUMPS,
      intervalMs: INTERVAL_MS,
      hubId: 'HUB-EMB',
      flushIntervalMs: 1000,
      gateway: {
        confirm: {
          alarm: {
            afterMs: 3000,
            command: ['/bin/sh', '-c', `echo "$PUMPWATCH_CONFIRMATION" >> ${marks}`],
            clearCommand: ['/bin/sh', '-c', `echo "$PUMPWATCH_CONFIRMATION" >> ${marks}`],
          },
        },
      },
    });
    const running = rig;
    await running.waitStored(20);
    await running.server.kill('SIGKILL');
    await waitFor(async () => (await running.status()).confirmation?.state === 'not_confirmed', {
      timeoutMs: 15_000,
      what: 'the hub to say monitoring is not confirmed',
    });
    await sleep(3000);
    await running.server.start();
    await waitFor(async () => (await running.status()).confirmation?.state === 'confirmed', {
      timeoutMs: 30_000,
      what: 'the hub to see confirmation again',
    });
    await running.waitStored(80);
    await running.killServer(1000);
    await running.waitStored(120);
    const lines = () => readFileSync(marks, 'utf8').trim().split('\n');
    // Once per episode: entered, then cleared; the short second kill may add an episode of its own, and
    // the commands run asynchronously, so compare once the file has caught up with the status.
    await waitFor(
      async () => {
        const { confirmation } = await running.status();
        const episodes = confirmation?.episodes ?? 0;
        const open = confirmation?.state === 'not_confirmed' ? 1 : 0;
        return episodes >= 1 && lines().length === 2 * episodes - open;
      },
      { timeoutMs: 10_000, what: 'one alarm and one clear command per episode' },
    );
    expect(lines().slice(0, 2)).toEqual(['not_confirmed', 'confirmed']);
    expect(lines().filter((line, i) => line !== (i % 2 === 0 ? 'not_confirmed' : 'confirmed'))).toEqual([]);
    expectNothingLost(await running.verdict(), 'embedded, server SIGKILL');
  });

  it('a 60 s WAN outage at full rate drains without loss or duplicate', async () => {
    rig = await FaultRig.start({
      broker: 'embedded',
      pumps: PUMPS,
      intervalMs: INTERVAL_MS,
      hubId: 'HUB-WAN',
    });
    const running = rig;
    await running.waitStored(20);
    await running.outage(60_000);
    const backlog = (await running.status()).outbox.depth;
    expect(backlog).toBeGreaterThan(PUMPS * 500);
    const verdict = await running.verdict();
    expectNothingLost(verdict, `WAN outage 60 s, backlog ${backlog}`);
  });

  it('control: a PUBACK-only gateway (confirm.mode broker) under server kills is caught losing samples', async () => {
    rig = await FaultRig.start({
      broker: 'embedded',
      pumps: PUMPS,
      intervalMs: 50,
      hubId: 'HUB-CTL',
      flushIntervalMs: 5000,
      gateway: { confirm: { mode: 'broker' } },
    });
    const running = rig;
    await running.waitStored(20);
    for (let kill = 0; kill < 3; kill++) {
      // Every samples query commits first, so waitStored's polling had just committed everything: quiet
      // for 1.5 s of a 5 s group commit, the server holds hundreds of PUBACKed samples it has not committed.
      await sleep(1500);
      await running.killServer(300);
      await running.waitStored(60 + kill * 40);
    }
    const verdict = await running.verdict();
    console.log(`control (PUBACK only): ${JSON.stringify(verdict)}`);
    // Each kill takes at least one tick of every pump with it (measured: 600 per kill).
    expect(verdict.lost).toBeGreaterThanOrEqual(3 * PUMPS);
  });
});
