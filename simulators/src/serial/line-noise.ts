import type { Prng } from '../prng.js';

/**
 * Ways a serial line goes wrong, as bytes, so tests can put them between good frames and check the
 * gateway counts each by reason and decodes the next good frame.
 */
export type LineNoiseKind =
  | 'bad_checksum'
  | 'truncated'
  | 'garbage'
  | 'overlong'
  | 'binary_noise'
  | 'wrong_baud';

export const lineNoiseKinds: readonly LineNoiseKind[] = [
  'bad_checksum',
  'truncated',
  'garbage',
  'overlong',
  'binary_noise',
  'wrong_baud',
];

/** A frame with one body digit changed and its CRC left as it was. */
export function withBadChecksum(frame: string): string {
  const star = frame.lastIndexOf('*');
  for (let i = star - 1; i > 0; i--) {
    const c = frame[i] as string;
    if (c >= '0' && c <= '9') {
      const changed = c === '9' ? '0' : String.fromCharCode(c.charCodeAt(0) + 1);
      return frame.slice(0, i) + changed + frame.slice(i + 1);
    }
  }
  return `${frame.slice(0, 1)}0${frame.slice(2)}`;
}

/** The first part of a frame, cut as by a glitch or an unplug mid-frame, with no line end. */
export function truncatedFrame(frame: string, keep = 0.5): string {
  return frame.slice(0, Math.max(2, Math.floor(frame.length * keep)));
}

/**
 * Bytes as a UART receiving at `rxBaud` reads a stream sent at `txBaud` (8N1, 16× oversampling, start
 * bit found on the falling edge, sampled mid-bit). A byte whose stop bit reads 0 comes out as NUL, as
 * Linux delivers a framing error in raw mode (IGNPAR and PARMRK off).
 */
export function misreadAtBaud(bytes: Uint8Array, txBaud: number, rxBaud: number): Uint8Array {
  const bits: number[] = [];
  for (const byte of bytes) {
    bits.push(0);
    for (let i = 0; i < 8; i++) bits.push((byte >> i) & 1);
    bits.push(1);
  }
  const txBit = 1 / txBaud;
  const end = bits.length * txBit;
  const level = (t: number): number => (t >= end ? 1 : (bits[Math.floor(t / txBit)] ?? 1));
  const rxBit = 1 / rxBaud;
  const step = rxBit / 16;
  const out: number[] = [];
  let previous = 1;
  let t = 0;
  while (t < end) {
    const current = level(t);
    if (previous === 1 && current === 0) {
      const middle = t + rxBit / 2;
      if (level(middle) === 0) {
        let byte = 0;
        for (let i = 0; i < 8; i++) if (level(middle + (i + 1) * rxBit)) byte |= 1 << i;
        const stop = level(middle + 9 * rxBit);
        out.push(stop ? byte : 0);
        t = middle + 9 * rxBit;
        previous = stop;
        continue;
      }
    }
    previous = current;
    t += step;
  }
  return Uint8Array.from(out);
}

/** One burst of noise of the given kind, built around `frame` (a good frame) where it needs one. */
export function lineNoise(kind: LineNoiseKind, frame: string, prng: Prng): Uint8Array {
  switch (kind) {
    case 'bad_checksum':
      return ascii(withBadChecksum(frame));
    case 'truncated':
      return ascii(`${truncatedFrame(frame)}\r\n`);
    case 'garbage':
      return ascii('pump ready> \r\n');
    case 'overlong':
      return ascii(`$PW1,${'9'.repeat(600)}\r\n`);
    case 'binary_noise': {
      const bytes = new Uint8Array(24);
      for (let i = 0; i < bytes.length; i++) bytes[i] = 0x80 + Math.floor(prng.next() * 0x80);
      bytes[bytes.length - 1] = 0x0a;
      return bytes;
    }
    case 'wrong_baud': {
      // A pump set to 38400 baud read by a port set to 9600: what arrives, then a line end.
      const misread = misreadAtBaud(ascii(frame), 38_400, 9600);
      return Uint8Array.from([...misread, 0x0a]);
    }
  }
}

function ascii(text: string): Uint8Array {
  return Uint8Array.from(Buffer.from(text, 'latin1'));
}
