import { afterEach, describe, it } from 'vitest';
import { FaultRig } from './support/fault-rig.js';
import { expectNothingLost } from './support/nothing-lost.js';

/**
 * Issue 15: nothing lost end to end with an external Mosquitto. The real gateway (20 simulated pumps at
 * 10 samples/s), the real server, the real broker; each fault on its own, then all together; every
 * pump checked seq by seq (support/fault-rig.ts). Before the commit watermarks, the same run lost 29
 * of 12,360 samples: PUBACK meant "the next hop has it", not "it is committed".
 */
const PUMPS = 20;
const INTERVAL_MS = 100;

let rig: FaultRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('nothing lost end to end: gateway → Mosquitto → server', () => {
  it('server SIGKILLed twice during ingest (broker persistence on)', async () => {
    rig = await FaultRig.start({
      broker: 'mosquitto',
      persistence: true,
      pumps: PUMPS,
      intervalMs: INTERVAL_MS,
      hubId: 'HUB-SK',
    });
    await rig.waitStored(20);
    await rig.killServer(3000);
    await rig.waitStored(60);
    await rig.killServer(1000);
    await rig.waitStored(100);
    expectNothingLost(await rig.verdict(), 'server SIGKILL', PUMPS * 50);
  });

  it('Mosquitto SIGKILLed with persistence on, and with persistence off', async () => {
    for (const persistence of [true, false]) {
      rig = await FaultRig.start({
        broker: 'mosquitto',
        persistence,
        pumps: PUMPS,
        intervalMs: INTERVAL_MS,
        hubId: 'HUB-MK',
      });
      await rig.waitStored(20);
      await rig.killBroker(2000);
      await rig.waitStored(60);
      await rig.killBroker(500);
      await rig.waitStored(100);
      expectNothingLost(
        await rig.verdict(),
        `mosquitto SIGKILL, persistence ${persistence ? 'on' : 'off'}`,
        PUMPS * 50,
      );
      await rig.close();
      rig = undefined;
    }
  });

  it('gateway SIGKILLed mid-stream', async () => {
    rig = await FaultRig.start({
      broker: 'mosquitto',
      persistence: true,
      pumps: PUMPS,
      intervalMs: INTERVAL_MS,
      hubId: 'HUB-GK',
    });
    await rig.waitStored(20);
    await rig.killGateway(1000);
    await rig.waitStored(60);
    expectNothingLost(await rig.verdict(), 'gateway SIGKILL', PUMPS * 50);
  });

  it('every fault together: server, broker and gateway killed, and the WAN link cut', async () => {
    rig = await FaultRig.start({
      broker: 'mosquitto',
      persistence: true,
      pumps: PUMPS,
      intervalMs: INTERVAL_MS,
      hubId: 'HUB-ALL',
    });
    const running = rig;
    await running.waitStored(20);
    await running.killServer(2000);
    await running.killBroker(1000);
    await running.outage(10_000, async () => {
      await running.killServer(500);
    });
    await running.killGateway(500);
    await running.killBroker(500);
    await running.waitStored(150);
    expectNothingLost(await running.verdict(), 'all faults', PUMPS * 50);
  });
});
