import { telemetrySampleSchema } from '@pumpwatch/protocol';
import type { PumpReadingSample } from '../pump-source.js';

/**
 * Decoder of the pumpwatch serial line protocol, version 1 (docs/serial-protocol.md). Pure: bytes in,
 * a sample or a typed error out; no clock, no I/O.
 *
 *   $PW1,<counter>,<ts>,<state>,<rate>,<vi>,<vtbi>,<pressure>,<limit>,<battery>,<power>,<alarms>*<CRC>
 */

/** Longest frame, line end included. Longer lines are noise, not frames. */
export const MAX_FRAME_BYTES = 512;

export const serialDecodeErrorReasons = [
  /** CRC-16 of the body does not match the trailer. */
  'bad_checksum',
  /** Starts like a frame but has no `*XXXX` trailer: cut short (glitch, unplug mid-frame). */
  'truncated',
  /** Printable text that is not a frame (a pump's banner, a shell prompt). */
  'garbage',
  /** More than MAX_FRAME_BYTES without a line end. */
  'overlong',
  /** Bytes outside printable ASCII: electrical noise, or a wrong baud rate. */
  'binary_noise',
  /** A well-formed frame of a protocol version this gateway does not know. */
  'unsupported_version',
  /** Checksum good but a field is missing or out of range. */
  'bad_field',
] as const;
export type SerialDecodeErrorReason = (typeof serialDecodeErrorReasons)[number];

export interface SerialDecodeError {
  ok: false;
  reason: SerialDecodeErrorReason;
  /** For logs: what exactly was wrong. */
  detail: string;
}

export interface SerialFrame {
  ok: true;
  /** The pump's frame counter (0–65535, wraps): a jump reveals frames lost on the line. */
  counter: number;
  sample: PumpReadingSample;
}

export type SerialDecodeResult = SerialFrame | SerialDecodeError;

const FIELD_COUNT = 12;
const NUMBER = /^-?\d{1,9}(\.\d{1,6})?$/;
const TRAILER = /\*([0-9A-Fa-f]{4})$/;
const fail = (reason: SerialDecodeErrorReason, detail: string): SerialDecodeError => ({
  ok: false,
  reason,
  detail,
});
const readingSchema = telemetrySampleSchema.omit({ seq: true, hubTs: true });

/** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over the bytes between `$` and `*`. */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/**
 * Decodes one line (as split on LF by the parser stream). A line may hold the tail of a cut frame and
 * then a whole one (`$PW1,12,17…$PW1,13,…*1A2B`): the receiver resynchronises on the last `$`, so the
 * cut part is reported and the good frame after it still decodes. Returns one or two results.
 */
export function decodeSerialLine(line: Uint8Array): SerialDecodeResult[] {
  let end = line.length;
  while (end > 0 && (line[end - 1] === 0x0d || line[end - 1] === 0x0a)) end--;
  const bytes = line.subarray(0, end);
  if (bytes.length === 0) return [];
  if (line.length > MAX_FRAME_BYTES) return [fail('overlong', `${line.length} bytes without a line end`)];
  const start = bytes.lastIndexOf(0x24);
  if (start <= 0) return [decodeSerialFrame(bytes)];
  const before = bytes.subarray(0, start);
  const prefix: SerialDecodeError = hasBinary(before)
    ? fail('binary_noise', `${before.length} bytes before a frame start`)
    : before[0] === 0x24
      ? fail('truncated', 'a frame cut short by the next frame start')
      : fail('garbage', `${before.length} bytes before a frame start`);
  return [prefix, decodeSerialFrame(bytes.subarray(start))];
}

/** Decodes one frame, line end already removed. */
export function decodeSerialFrame(bytes: Uint8Array): SerialDecodeResult {
  if (bytes.length > MAX_FRAME_BYTES) return fail('overlong', `${bytes.length} bytes`);
  if (hasBinary(bytes)) return fail('binary_noise', 'bytes outside printable ASCII');
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  if (!text.startsWith('$')) return fail('garbage', 'no frame start ($)');
  const trailer = TRAILER.exec(text);
  if (!trailer) return fail('truncated', 'no *CRC trailer');
  const body = text.slice(1, trailer.index);
  const expected = Number.parseInt(trailer[1] as string, 16);
  const actual = crc16(bytes.subarray(1, trailer.index));
  if (actual !== expected) {
    return fail('bad_checksum', `CRC ${hex(actual)} computed, ${hex(expected)} sent`);
  }
  const fields = body.split(',');
  const tag = fields[0] ?? '';
  if (tag !== 'PW1') {
    return /^PW\d+$/.test(tag)
      ? fail('unsupported_version', `protocol ${tag}; this gateway reads PW1`)
      : fail('garbage', `unknown frame tag ${tag.slice(0, 16)}`);
  }
  if (fields.length !== FIELD_COUNT) {
    return fail('bad_field', `${fields.length} fields, PW1 has ${FIELD_COUNT}`);
  }
  return decodeFields(fields);
}

function decodeFields(fields: string[]): SerialDecodeResult {
  const [, counterText, tsText, state, rate, vi, vtbi, pressure, limit, battery, power, alarms] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const counter = Number(counterText);
  if (!/^\d{1,5}$/.test(counterText) || counter > 0xffff) return fail('bad_field', 'counter');
  if (!/^\d{1,16}$/.test(tsText)) return fail('bad_field', 'ts');
  const numbers: Record<string, number | undefined> = {};
  for (const [name, text, required] of [
    ['rate_mL_h', rate, true],
    ['vi_mL', vi, true],
    ['vtbi_mL', vtbi, false],
    ['pressure_mmHg', pressure, false],
    ['occlusionLimit_mmHg', limit, false],
    ['battery_pct', battery, false],
  ] as const) {
    if (text === '') {
      if (required) return fail('bad_field', `${name} is required`);
      continue;
    }
    if (!NUMBER.test(text)) return fail('bad_field', `${name} is not a decimal number`);
    numbers[name] = Number(text);
  }
  if (power !== '' && power !== 'B' && power !== 'M') return fail('bad_field', 'power must be B, M or empty');
  const candidate = {
    v: 1,
    ts: Number(tsText),
    state,
    ...Object.fromEntries(Object.entries(numbers).filter(([, value]) => value !== undefined)),
    ...(power !== '' && { onBattery: power === 'B' }),
    alarms: alarms === '' ? [] : alarms.split('|'),
  };
  const parsed = readingSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('bad_field', `${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  return { ok: true, counter, sample: parsed.data };
}

/** Anything but printable ASCII and TAB. */
function hasBinary(bytes: Uint8Array): boolean {
  for (const byte of bytes) if ((byte < 0x20 && byte !== 0x09) || byte > 0x7e) return true;
  return false;
}

const hex = (value: number): string => value.toString(16).toUpperCase().padStart(4, '0');
