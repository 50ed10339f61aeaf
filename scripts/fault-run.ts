/**
 * npm run faults [-- --outage-minutes 10 --pumps 20 --interval-ms 100 --broker embedded|mosquitto]
 *
 * The long fault run of issue 15, too long for the test suite: the real gateway (child process, N
 * simulated pumps at 1000/interval-ms samples/s each) → its WAN link (a TCP gate) → the broker → the
 * real server. The link is cut for `outage-minutes` at full rate; the hub's RSS is read from
 * /proc/<pid>/status every minute; then the backlog drains and every pump is checked seq by seq
 * (test/support/fault-rig.ts): produced, stored, lost, duplicates.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { FaultRig, sleep } from '@pumpwatch/test/support';

const { values } = parseArgs({
  options: {
    'outage-minutes': { type: 'string', default: '10' },
    pumps: { type: 'string', default: '20' },
    'interval-ms': { type: 'string', default: '100' },
    broker: { type: 'string', default: 'embedded' },
  },
});
const OUTAGE_MIN = Number(values['outage-minutes']);
const PUMPS = Number(values.pumps);
const INTERVAL_MS = Number(values['interval-ms']);

const rssMiB = (pid: number | undefined): string => {
  if (pid === undefined) return '?';
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return (Number(match?.[1] ?? 0) / 1024).toFixed(1);
};

async function main(): Promise<void> {
  const broker = values.broker === 'mosquitto' ? 'mosquitto' : 'embedded';
  const rig = await FaultRig.start({
    broker,
    persistence: true,
    pumps: PUMPS,
    intervalMs: INTERVAL_MS,
    hubId: 'HUB-LONG',
    // A 10-minute backlog of 20 pumps at 10 Hz is 120,000 samples: inside the budget.
    gateway: { outbox: { maxEntries: 1_000_000 } },
  });
  try {
    const rate = (PUMPS * 1000) / INTERVAL_MS;
    console.log(`${PUMPS} pumps at ${rate / PUMPS} samples/s each (${rate}/s), ${broker} broker`);
    await rig.waitStored(20);
    console.log(`hub RSS before the outage: ${rssMiB(rig.gateway.pid)} MiB`);
    const started = Date.now();
    await rig.outage(OUTAGE_MIN * 60_000, async () => {
      for (let minute = 1; minute <= OUTAGE_MIN; minute++) {
        await sleep(started + minute * 60_000 - Date.now());
        const status = await rig.status();
        console.log(
          `  outage minute ${minute}: hub RSS ${rssMiB(rig.gateway.pid)} MiB, outbox ${status.outbox.depth}, ` +
            `confirmation ${status.confirmation?.state}`,
        );
      }
    });
    const backlog = (await rig.status()).outbox.depth;
    const drainStarted = Date.now();
    const verdict = await rig.verdict(1_800_000);
    const drainS = (Date.now() - drainStarted) / 1000;
    console.log(`link back: backlog ${backlog} samples drained and confirmed in ${drainS.toFixed(1)} s`);
    console.log(`verdict: ${JSON.stringify(verdict)}`);
    if (verdict.lost > 0 || verdict.duplicates > 0) process.exitCode = 1;
  } finally {
    await rig.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
