import { describe, expect, it } from 'vitest';
import { mixSeed } from '../../src/train/seed-mix.ts';

// Dropout masks are drawn from mulberry32 streams seeded by mixSeed(seed, epoch,
// window, 0) and then by (window seed, site, stream, kind). A model fits the
// masks it has trained on, so two (seed, epoch) pairs must never share a window's
// masks: a recipe that runs phase after phase with seeds 1, 2, 3 … (--init, a
// new --seed each time) must see fresh masks in every epoch of every phase.
describe('mixSeed', () => {
  it('gives every (seed, epoch) pair of a multi-phase recipe its own window seeds', () => {
    const seen = new Map<number, string>();
    for (let seed = 0; seed < 64; seed++) {
      for (let epoch = 0; epoch < 32; epoch++) {
        for (const window of [0, 1, 1142]) {
          const value = mixSeed(seed, epoch, window, 0);
          const where = `seed ${seed} epoch ${epoch} window ${window}`;
          expect(seen.get(value), `${where} repeats the window seed of ${seen.get(value)}`).toBeUndefined();
          seen.set(value, where);
        }
      }
    }
    expect(seen.size).toBe(64 * 32 * 3);
  });

  it('gives the streams and sites of one window their own generator states', () => {
    const states = new Set<number>();
    for (let window = 0; window < 50; window++) {
      const windowSeed = mixSeed(1, 0, window, 0);
      for (let site = 0; site < 3; site++) for (let stream = 0; stream < 20; stream++) for (const kind of [1, 2]) states.add(mixSeed(windowSeed, site, stream, kind));
    }
    expect(states.size).toBe(50 * 3 * 20 * 2);
  });

  it('separates the (seed, epoch) pairs that the old XOR mix merged', () => {
    expect(mixSeed(1, 0, 0, 0)).not.toBe(mixSeed(0, 1, 0, 0));
    expect(mixSeed(4, 1, 7, 2)).not.toBe(mixSeed(5, 0, 7, 2));
  });
});
