/**
 * Seeded pseudo-random numbers. The simulators never call Math.random: a scenario replayed with the same
 * seed must produce the same samples, so a failing test or a demo glitch can be reproduced exactly.
 */
export interface Prng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [min, max). */
  uniform(min: number, max: number): number;
  /** Standard normal (mean 0, standard deviation 1). */
  gaussian(): number;
}

/** mulberry32: 32-bit state, fast, good enough statistics for noise (not for cryptography). */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  let spareGaussian: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    gaussian: () => {
      if (spareGaussian !== null) {
        const g = spareGaussian;
        spareGaussian = null;
        return g;
      }
      // Box–Muller; 1 - next() keeps the logarithm's argument in (0, 1].
      const radius = Math.sqrt(-2 * Math.log(1 - next()));
      const angle = 2 * Math.PI * next();
      spareGaussian = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
  };
}

/** FNV-1a hash of a string: a stable seed per pump id, so a configured pump behaves the same every run. */
export function seedFromString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
