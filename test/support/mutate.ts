import type { Prng } from '@pumpwatch/simulators';

/** A valid JSON value of a random type, for swapping into a field. */
function randomValue(rng: Prng): unknown {
  const pick = Math.floor(rng.next() * 8);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rng.uniform(-1e12, 1e12);
    case 2:
      return 'x'.repeat(Math.floor(rng.next() * 300));
    case 3:
      return [1, 'two', null];
    case 4:
      return { nested: { deeper: [rng.next()] } };
    case 5:
      return rng.next() < 0.5;
    case 6:
      return -1;
    default:
      return Number.MAX_SAFE_INTEGER * 10;
  }
}

function randomBytes(rng: Prng, max: number): Buffer {
  const bytes = Buffer.alloc(Math.floor(rng.next() * max));
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(rng.next() * 256);
  return bytes;
}

/**
 * One mutation of a valid JSON document: random bytes, a truncation, flipped bytes, a deleted or
 * retyped field, another JSON value altogether, deep nesting, or (rarely) an oversized document.
 */
export function mutateJson(rng: Prng, valid: Record<string, unknown>): Buffer {
  const text = JSON.stringify(valid);
  const kind = Math.floor(rng.next() * 9);
  switch (kind) {
    case 0:
      return randomBytes(rng, 200);
    case 1:
      return Buffer.from(text.slice(0, Math.floor(rng.next() * text.length)));
    case 2: {
      const bytes = Buffer.from(text);
      for (let flips = 1 + Math.floor(rng.next() * 3); flips > 0; flips -= 1) {
        const at = Math.floor(rng.next() * bytes.length);
        bytes[at] = (bytes[at] as number) ^ (1 << Math.floor(rng.next() * 8));
      }
      return bytes;
    }
    case 3: {
      const copy = { ...valid };
      const keys = Object.keys(copy);
      delete copy[keys[Math.floor(rng.next() * keys.length)] as string];
      return Buffer.from(JSON.stringify(copy));
    }
    case 4: {
      const copy: Record<string, unknown> = { ...valid };
      const keys = Object.keys(copy);
      copy[keys[Math.floor(rng.next() * keys.length)] as string] = randomValue(rng);
      return Buffer.from(JSON.stringify(copy));
    }
    case 5:
      return Buffer.from(JSON.stringify(randomValue(rng)));
    case 6:
      return Buffer.from(`${'['.repeat(2000)}${']'.repeat(2000)}`);
    case 7:
      return rng.next() < 0.05 ? Buffer.alloc(64 * 1024 + 100, 0x20) : Buffer.from(`${text}garbage`);
    default:
      return Buffer.from(JSON.stringify({ ...valid, extra: randomValue(rng) }).replace(/"/, "'"));
  }
}
