/**
 * A 32-bit hash of a seed and three coordinates (epoch, window, stream …):
 * a stateless source of PRNG seeds, so dropout masks depend on where they
 * are used and not on what ran before (resume and thread splits see the same).
 * Ends with MurmurHash3's avalanche (fmix32). Cost: a few integer operations.
 */
export function mixSeed(seed: number, a: number, b: number, c: number): number {
  let h = seed >>> 0;
  h = Math.imul(h ^ (a >>> 0), 0x9e3779b1) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h ^ (b >>> 0), 0x9e3779b1) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h ^ (c >>> 0), 0x9e3779b1) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
