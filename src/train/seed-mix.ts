/**
 * A 32-bit hash of a seed and three coordinates (epoch, window, stream …):
 * a stateless source of PRNG seeds, so dropout masks depend on where they
 * are used and not on what ran before (resume and thread splits see the same).
 * Every input goes through MurmurHash3's full avalanche (fmix32, a bijection)
 * before the next is folded in. The earlier version folded the epoch into the
 * seed with a plain XOR, so seed s at epoch e drew exactly the masks of seed
 * s ^ e at epoch 0: the phases of a multi-run recipe with seeds 1, 2, 3, 4
 * trained again and again on the masks of earlier phases, and a model fits
 * the masks it has seen (on the Brown model, a window's dropout loss under
 * reused masks was 20% below that under fresh ones), which weakens dropout.
 * Cost: a few integer operations.
 */
export function mixSeed(seed: number, a: number, b: number, c: number): number {
  let h = fmix32(seed >>> 0);
  h = fmix32((h ^ (a >>> 0)) >>> 0);
  h = fmix32((h ^ (b >>> 0)) >>> 0);
  return fmix32((h ^ (c >>> 0)) >>> 0);
}

/** MurmurHash3's 32-bit finalizer: a bijection whose every output bit depends on every input bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
