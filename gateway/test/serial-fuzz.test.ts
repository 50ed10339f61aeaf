import { createPrng, type Prng } from '@pumpwatch/simulators';
import { encodeSerialFrame, lineNoise, lineNoiseKinds } from '@pumpwatch/simulators/serial';
import { describe, expect, it } from 'vitest';
import { BoundedLineParser } from '../src/sources/serial/line-parser.js';
import { decodeSerialLine, type SerialDecodeErrorReason } from '../src/sources/serial/serial-frame.js';

/** Lines (or bursts) of input in fuzz test: at least 100,000 (issue #8). */
const COUNT = Number(process.env.PUMPWATCH_FUZZ_COUNT ?? 100_000);

/** A random mutation of a good frame, or raw random bytes, always ending in a line end. */
function mutatedFrame(prng: Prng, frame: string): Uint8Array {
  const kind = Math.floor(prng.next() * 6);
  const bytes = Buffer.from(frame, 'latin1');
  switch (kind) {
    case 0: {
      const random = Buffer.alloc(Math.floor(prng.next() * 120));
      for (let i = 0; i < random.length; i += 1) random[i] = Math.floor(prng.next() * 256);
      return Buffer.concat([random, Buffer.from('\n')]);
    }
    case 1: {
      const at = 1 + Math.floor(prng.next() * (bytes.length - 3));
      bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(prng.next() * 7));
      return bytes;
    }
    case 2:
      return Buffer.concat([
        bytes.subarray(0, Math.floor(prng.next() * (bytes.length - 2))),
        Buffer.from('\n'),
      ]);
    case 3: {
      // A field replaced by junk, checksum left as it was.
      const text = frame.replace(/,[^,]*,/, `,${'x'.repeat(1 + Math.floor(prng.next() * 5))},`);
      return Buffer.from(text, 'latin1');
    }
    default:
      return lineNoise(lineNoiseKinds[Math.floor(prng.next() * lineNoiseKinds.length)] as never, frame, prng);
  }
}

describe(`serial fuzzing with ${COUNT.toLocaleString('en')} lines`, () => {
  it('never throws, counts every bad line by reason, and decodes every good frame between them', async () => {
    const prng = createPrng(7);
    const parser = new BoundedLineParser();
    const reasons = new Map<SerialDecodeErrorReason | 'overlong_stream', number>();
    const decodedCounters: number[] = [];
    let lines = 0;
    parser.on('overlong', () => reasons.set('overlong_stream', (reasons.get('overlong_stream') ?? 0) + 1));
    parser.on('data', (line: Buffer) => {
      lines += 1;
      for (const result of decodeSerialLine(line)) {
        // Good frames are the ones at 25 mL/h; mutated ones start from 99 mL/h and may still decode.
        if (result.ok) {
          if (result.sample.rate_mL_h === 25) decodedCounters.push(result.counter);
        } else {
          reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
        }
      }
    });
    const goodCounters: number[] = [];
    const base = {
      v: 1 as const,
      ts: 1_763_812_800_000,
      state: 'infusing' as const,
      rate_mL_h: 25,
      vi_mL: 1,
      alarms: [],
    };
    for (let i = 0; i < COUNT; i += 1) {
      const counter = i % 65_536;
      const sample = { ...base, ts: base.ts + i * 1000, vi_mL: i / 1000 };
      if (i % 10 === 0) {
        goodCounters.push(counter);
        parser.write(Buffer.from(encodeSerialFrame(sample, counter), 'latin1'));
      } else {
        parser.write(mutatedFrame(prng, encodeSerialFrame({ ...sample, rate_mL_h: 99 }, counter)));
        // Resynchronise after anything that may have left half a line behind.
        parser.write(Buffer.from('\n'));
      }
    }
    parser.end();
    await new Promise((resolve) => setImmediate(resolve));

    // Every good frame came through, once and in order, whatever noise surrounded it.
    expect(decodedCounters).toEqual(goodCounters);
    const rejected = [...reasons.values()].reduce((sum, n) => sum + n, 0);
    expect(rejected).toBeGreaterThan(COUNT * 0.8);
    for (const reason of ['bad_checksum', 'truncated', 'garbage', 'binary_noise'] as const) {
      expect(reasons.get(reason), reason).toBeGreaterThan(0);
    }
    expect(lines).toBeGreaterThan(COUNT);
  });
});
