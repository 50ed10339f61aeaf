import { describe, expect, it } from 'vitest';
import { MqttFrameScanner } from '../src/broker/packet-size-guard.js';

/** A fixed header: type byte and the remaining length as MQTT encodes it (7 bits a byte, low first). */
function header(type: number, remaining: number): number[] {
  const bytes = [type];
  let value = remaining;
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    bytes.push(byte);
  } while (value > 0);
  return bytes;
}

function packet(type: number, bodyBytes: number): Buffer {
  return Buffer.concat([Buffer.from(header(type, bodyBytes)), Buffer.alloc(bodyBytes, 0x61)]);
}

describe('MQTT packet size guard', () => {
  it('passes packets up to the limit, several in one chunk or one split over many', () => {
    const scanner = new MqttFrameScanner(1000);
    const many = Buffer.concat([packet(0x10, 20), packet(0x30, 997 - 3), packet(0xc0, 0), packet(0x30, 5)]);
    expect(scanner.accept(many)).toBe(true);
    const split = packet(0x30, 990);
    for (let i = 0; i < split.length; i += 7) expect(scanner.accept(split.subarray(i, i + 7))).toBe(true);
  });

  it('refuses a packet one byte over the limit at its header, before its body', () => {
    const scanner = new MqttFrameScanner(1000);
    expect(scanner.accept(Buffer.from(header(0x30, 1000 - 2)))).toBe(false);
    expect(scanner.accept(Buffer.from([0xc0, 0]))).toBe(false);
  });

  it('refuses a 200 MB CONNECT trickled a byte at a time at its last length byte, before any body', () => {
    const scanner = new MqttFrameScanner(66_560);
    const bytes = header(0x10, 200 * 1024 * 1024);
    expect(bytes).toHaveLength(5);
    for (const byte of bytes.slice(0, 4)) expect(scanner.accept(Buffer.from([byte]))).toBe(true);
    expect(scanner.accept(Buffer.from(bytes.slice(4)))).toBe(false);
  });

  it('refuses as soon as the length known so far passes the limit', () => {
    const scanner = new MqttFrameScanner(66_560);
    expect(scanner.accept(Buffer.from([0x10, 0xff, 0xff]))).toBe(true);
    // 127 + 127·128 + 127·128² is past 66,560 at the third length byte, whatever follows.
    expect(scanner.accept(Buffer.from([0xff]))).toBe(false);
  });

  it('refuses a remaining length longer than four bytes (malformed)', () => {
    const scanner = new MqttFrameScanner(Number.MAX_SAFE_INTEGER);
    expect(scanner.accept(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80]))).toBe(false);
  });
});
