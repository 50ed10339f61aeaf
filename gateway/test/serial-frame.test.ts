import { createPrng } from '@pumpwatch/simulators';
import {
  encodeSerialFrame,
  lineNoise,
  lineNoiseKinds,
  misreadAtBaud,
  type SerialPumpSample,
  truncatedFrame,
  withBadChecksum,
} from '@pumpwatch/simulators/serial';
import { describe, expect, it } from 'vitest';
import { BoundedLineParser } from '../src/sources/serial/line-parser.js';
import {
  decodeSerialFrame,
  decodeSerialLine,
  MAX_FRAME_BYTES,
  type SerialDecodeResult,
} from '../src/sources/serial/serial-frame.js';

const full: SerialPumpSample = {
  v: 1,
  ts: 1_763_812_800_000,
  state: 'infusing',
  rate_mL_h: 25.5,
  vi_mL: 12.125,
  vtbi_mL: 100,
  pressure_mmHg: -12,
  occlusionLimit_mmHg: 300,
  battery_pct: 80,
  onBattery: true,
  alarms: ['occlusion', 'battery_low'],
};
const minimal: SerialPumpSample = {
  v: 1,
  ts: 1_763_812_800_000,
  state: 'paused',
  rate_mL_h: 0,
  vi_mL: 0,
  alarms: [],
};

const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'latin1'));
const reasons = (results: SerialDecodeResult[]) => results.map((r) => (r.ok ? 'ok' : r.reason));

describe('serial frame decoder (PW1)', () => {
  it('decodes what the simulated pump encodes, every field and the counter', () => {
    const [result] = decodeSerialLine(bytes(encodeSerialFrame(full, 65_535)));
    expect(result).toEqual({ ok: true, counter: 65_535, sample: full });
  });

  it('leaves optional fields out when the pump sends them empty', () => {
    const line = encodeSerialFrame(minimal, 7);
    expect(line).toMatch(/^\$PW1,7,1763812800000,paused,0,0,,,,,,\*[0-9A-F]{4}\r\n$/);
    expect(decodeSerialLine(bytes(line))).toEqual([{ ok: true, counter: 7, sample: minimal }]);
  });

  it('accepts a bare LF line end and a lowercase CRC', () => {
    const line = encodeSerialFrame(full, 1).replace('\r\n', '');
    const lower = line.replace(/\*([0-9A-F]{4})$/, (_, crc: string) => `*${crc.toLowerCase()}`);
    expect(decodeSerialFrame(bytes(lower)).ok).toBe(true);
  });

  it('names each kind of corrupt input by its reason', () => {
    const good = encodeSerialFrame(full, 3);
    const prng = createPrng(42);
    const cases: Array<[string, Uint8Array, string]> = [
      ['bad checksum', bytes(withBadChecksum(good)), 'bad_checksum'],
      ['truncated', bytes(truncatedFrame(good)), 'truncated'],
      ['garbage', bytes('AT+OK'), 'garbage'],
      ['overlong', bytes(`$PW1,${'9'.repeat(MAX_FRAME_BYTES)}`), 'overlong'],
      ['binary noise', lineNoise('binary_noise', good, prng), 'binary_noise'],
      ['unknown version', bytes(encodeLike(good, 'PW2')), 'unsupported_version'],
      ['unknown tag', bytes(encodeLike(good, 'XX1')), 'garbage'],
    ];
    for (const [what, input, reason] of cases) {
      expect(reasons(decodeSerialLine(input)), what).toEqual([reason]);
    }
  });

  it('rejects a frame whose checksum is good but whose fields are not', () => {
    const bad = (sample: Record<string, unknown>) => {
      const result = decodeSerialFrame(bytes(encodeSerialFrame(sample as SerialPumpSample, 1).trimEnd()));
      return result.ok ? 'ok' : `${result.reason}: ${result.detail}`;
    };
    expect(bad({ ...full, state: 'dancing' })).toMatch(/^bad_field: state/);
    expect(bad({ ...full, rate_mL_h: 20_000 })).toMatch(/^bad_field: rate_mL_h/);
    expect(bad({ ...full, battery_pct: 130 })).toMatch(/^bad_field: battery_pct/);
    expect(bad({ ...full, alarms: ['Not-A-Flag'] })).toMatch(/^bad_field: alarms/);
    const fewer = signed('PW1,1,1763812800000,infusing,5,1');
    expect(decodeSerialFrame(bytes(fewer))).toMatchObject({ ok: false, reason: 'bad_field' });
    const notNumber = signed('PW1,1,1763812800000,infusing,5e3,1,,,,,,');
    expect(decodeSerialFrame(bytes(notNumber))).toMatchObject({ ok: false, reason: 'bad_field' });
  });

  it('resynchronises on a frame start inside a line: the cut frame is counted, the next decodes', () => {
    const cut = truncatedFrame(encodeSerialFrame(full, 4));
    const next = encodeSerialFrame(full, 5);
    expect(reasons(decodeSerialLine(bytes(cut + next)))).toEqual(['truncated', 'ok']);
    expect(reasons(decodeSerialLine(bytes(`noise${next}`)))).toEqual(['garbage', 'ok']);
    const noisy = Uint8Array.from([0xff, 0x00, 0x13, ...bytes(next)]);
    expect(reasons(decodeSerialLine(noisy))).toEqual(['binary_noise', 'ok']);
  });

  it('reads a stream sent at the wrong baud rate as corrupt, never as a sample', () => {
    const frames = Array.from({ length: 20 }, (_, i) => encodeSerialFrame(full, i)).join('');
    for (const [tx, rx] of [
      [38_400, 9600],
      [9600, 38_400],
      [19_200, 9600],
      [9600, 115_200],
    ] as const) {
      const misread = misreadAtBaud(bytes(frames), tx, rx);
      const lines = splitLines(misread);
      const results = lines.flatMap((line) => decodeSerialLine(line));
      expect(results.length, `${tx} read at ${rx}`).toBeGreaterThan(0);
      expect(
        results.filter((r) => r.ok),
        `${tx} read at ${rx}`,
      ).toEqual([]);
    }
    // The same bit stream read at the right rate is the original.
    expect(Buffer.from(misreadAtBaud(bytes(frames), 9600, 9600)).toString('latin1')).toBe(frames);
  });

  it('never throws on random bytes', () => {
    const prng = createPrng(7);
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(prng.next() * 700);
      const input = new Uint8Array(length);
      for (let j = 0; j < length; j++) input[j] = Math.floor(prng.next() * 256);
      if (prng.next() < 0.3) input[0] = 0x24;
      expect(() => decodeSerialLine(input)).not.toThrow();
    }
  });
});

describe('bounded line parser (serialport DelimiterParser)', () => {
  it('splits frames on LF across chunk boundaries', async () => {
    const { lines, overlong } = await parse([
      encodeSerialFrame(full, 1).slice(0, 10),
      encodeSerialFrame(full, 1).slice(10),
    ]);
    expect(lines).toHaveLength(1);
    expect(overlong).toBe(0);
  });

  it('drops a line that grows past the bound, once, and decodes the next frame', async () => {
    const noise = Buffer.alloc(4000, 0x41);
    const { lines, overlong } = await parse([noise, noise, '\r\n', encodeSerialFrame(full, 9)]);
    expect(overlong).toBe(1);
    expect(lines.flatMap((line) => reasons(decodeSerialLine(line)))).toEqual(['ok']);
  });

  it('passes every kind of line noise through to a counted reason, and the good frames around it', async () => {
    const prng = createPrng(3);
    const chunks: Array<string | Uint8Array> = [];
    for (const [i, kind] of lineNoiseKinds.entries()) {
      chunks.push(encodeSerialFrame(full, i * 2));
      chunks.push(lineNoise(kind, encodeSerialFrame(full, 99), prng));
    }
    chunks.push(encodeSerialFrame(full, 100));
    const { lines } = await parse(chunks);
    const results = lines.flatMap((line) => decodeSerialLine(line));
    expect(results.filter((r) => r.ok)).toHaveLength(lineNoiseKinds.length + 1);
    expect(new Set(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.reason)))).toEqual(
      new Set(['bad_checksum', 'truncated', 'garbage', 'overlong', 'binary_noise']),
    );
  });
});

/** Re-signs a good frame with another tag, so only the tag is wrong. */
function encodeLike(frame: string, tag: string): string {
  const body = frame.slice(1, frame.lastIndexOf('*')).replace(/^PW1/, tag);
  return signed(body);
}

function signed(body: string): string {
  let crc = 0xffff;
  for (const byte of Buffer.from(body, 'latin1')) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return `$${body}*${crc.toString(16).toUpperCase().padStart(4, '0')}`;
}

function splitLines(data: Uint8Array): Uint8Array[] {
  const lines: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a) {
      lines.push(data.subarray(start, i));
      start = i + 1;
    }
  }
  lines.push(data.subarray(start));
  return lines;
}

async function parse(chunks: Array<string | Uint8Array>): Promise<{ lines: Buffer[]; overlong: number }> {
  const parser = new BoundedLineParser();
  const lines: Buffer[] = [];
  let overlong = 0;
  parser.on('data', (line: Buffer) => lines.push(line));
  parser.on('overlong', () => overlong++);
  for (const chunk of chunks) parser.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  parser.end();
  await new Promise((resolve) => parser.on('end', resolve));
  return { lines, overlong };
}
