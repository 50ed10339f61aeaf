import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPumpSource } from '@pumpwatch/gateway';
import { describePumpSourceContract } from '@pumpwatch/gateway/testing';
import { buildScenario, createPrng, createPumpFromScenario } from '@pumpwatch/simulators';
import {
  encodeSerialFrame,
  lineNoise,
  lineNoiseKinds,
  SerialPump,
  truncatedFrame,
} from '@pumpwatch/simulators/serial';
import { afterAll } from 'vitest';
import { PtyPair } from './support/pty.js';
import { sleep } from './support/wait.js';

/**
 * The PumpSource contract (gateway/test/support/pump-source-contract.ts) on the serial driver: the
 * shipped serial pump simulator writes PW1 into one end of a socat PTY pair, the driver reads the other
 * through a `/dev/serial/by-id`-style symlink. No network. The simulated and BLE sources run the same
 * contract in gateway/test/pump-source-contract.test.ts.
 */

const dir = mkdtempSync(join(tmpdir(), 'pw-contract-'));
const pairs: PtyPair[] = [];
const pumps: SerialPump[] = [];
let created = 0;

afterAll(async () => {
  for (const pump of pumps) await pump.stop();
  // Kills every socat still running, whatever a failed case left behind.
  for (const pair of pairs) await pair.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Never a skip: the integration tier fails without its prerequisites, in CI and out (README). */
function requireSocat(): void {
  const probe = spawnSync('socat', ['-V'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0)
    throw new Error('socat is not installed (apt-get install socat; npm test installs it)');
}

/** The PTY a device path leads to now, or null when it is gone. */
function ptyOf(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

const BAD_BURST_MIN_REJECTIONS = lineNoiseKinds.length + 3;

describePumpSourceContract({
  name: 'serial over a socat PTY pair',
  hasPumpLink: true,
  async create() {
    requireSocat();
    created++;
    const pumpId = `PUMP-CONTRACT-${created}`;
    const pair = await PtyPair.create(dir, `c${created}`);
    pairs.push(pair);
    // Every PTY the driver's end has been: after an unplug the device is gone but may still be held.
    const gatewayPtys = new Set([ptyOf(pair.gatewayEnd)]);

    const model = createPumpFromScenario(buildScenario('normal', { rate_mL_h: 100 }), {
      seed: created,
      startTs: Date.now(),
    });
    const good: number[] = [];
    const sample = model.sample.bind(model);
    // The serial pump calls sample() once per frame, just before writing it if its port is open.
    model.sample = () => {
      const s = sample();
      if (pump.isOpen) good.push(s.ts);
      return s;
    };
    const pump = new SerialPump({ path: pair.pumpEnd, model, intervalMs: 100, reopenMs: 50 });
    pumps.push(pump);
    await pump.start();

    const source = new SerialPumpSource({
      pumpId,
      path: pair.byId,
      baudRate: 9600,
      linkTimeoutMs: 1500,
      checkIntervalMs: 100,
      reopenMinMs: 100,
      reopenMaxMs: 400,
    });
    const prng = createPrng(created);
    const template = encodeSerialFrame(
      { v: 1, ts: Date.now(), state: 'infusing', rate_mL_h: 1, vi_mL: 0, alarms: [] },
      0,
    );
    let noise: NodeJS.Timeout | null = null;

    return {
      source,
      pumpId,
      noticeMs: 3000,
      quietMs: 800,
      pump: {
        goAway: () => pair.unplug(),
        comeBack: async () => {
          await pair.replug();
          gatewayPtys.add(ptyOf(pair.gatewayEnd));
        },
        async sendBadFrames() {
          // 150 ms apart at 10 frames a second: a good frame lies between any two of them.
          for (const kind of lineNoiseKinds) {
            await pump.inject(lineNoise(kind, template, prng));
            await sleep(150);
          }
          // No line end: each is glued to the start of the good frame that follows it.
          for (const glued of [truncatedFrame(template), Uint8Array.of(0x80, 0xfe, 0x13), 'pump ready> ']) {
            await pump.inject(glued);
            await sleep(150);
          }
          return BAD_BURST_MIN_REJECTIONS;
        },
        async sendOnlyBadFrames(on) {
          model.schedule(pump.lastTs, { type: on ? 'stop_reporting' : 'resume_reporting' });
          if (noise) clearInterval(noise);
          noise = on
            ? setInterval(() => {
                void pump.inject(lineNoise('bad_checksum', template, prng)).catch(() => {});
              }, 100)
            : null;
        },
        goodSent: () => good,
      },
      async heldBySource() {
        const pumpSide = ptyOf(pair.pumpEnd);
        const held: string[] = [];
        for (const fd of readdirSync('/proc/self/fd')) {
          let target: string;
          try {
            target = readlinkSync(`/proc/self/fd/${fd}`).replace(/ \(deleted\)$/, '');
          } catch {
            continue;
          }
          if (target !== pumpSide && gatewayPtys.has(target)) held.push(`fd ${fd} on ${target}`);
        }
        return held;
      },
      async dispose() {
        if (noise) clearInterval(noise);
        noise = null;
        await pump.stop();
        await pair.close();
      },
    };
  },
});
