import { describe, expect, it } from 'vitest';
import { regroupStates, splitStreams } from '../../src/train/trainer.ts';
import { TrainingError } from '../../src/train/errors.ts';

// Each value names its stream and layer (stream × 10 + layer array), so a misplaced stream shows.
function threadArrays(batchSize: number, threads: number, widths: number[]): Float32Array[] {
  const arrays: Float32Array[] = [];
  for (const share of splitStreams(batchSize, threads)) {
    widths.forEach((width, i) => {
      const array = new Float32Array(share.streams * width);
      for (let s = 0; s < share.streams; s++) array.fill((share.firstStream + s) * 10 + i, s * width, (s + 1) * width);
      arrays.push(array);
    });
  }
  return arrays;
}

describe('regroupStates (resuming a checkpoint on another thread count)', () => {
  const widths = [3, 3, 2, 2]; // h and C of a 3-wide layer, then of a 2-wide one
  it.each([
    [1, 2],
    [2, 1],
    [3, 2],
    [2, 7],
  ])('state written by %i thread(s) of 7 streams lands on the same streams for %i', (before, after) => {
    const regrouped = regroupStates(threadArrays(7, before, widths), widths.length, splitStreams(7, after), 'x.ckpt');
    expect(regrouped).toEqual(splitStreams(7, after).map((_, t) => threadArrays(7, after, widths).slice(t * widths.length, (t + 1) * widths.length)));
  });

  it('refuses a state that is not a whole number of threads, or not whole streams', () => {
    const arrays = threadArrays(7, 2, widths);
    expect(() => regroupStates(arrays.slice(1), widths.length, splitStreams(7, 1), 'x.ckpt')).toThrow(TrainingError);
    expect(() => regroupStates([new Float32Array(5), ...arrays.slice(1, 4)], widths.length, splitStreams(7, 1), 'x.ckpt')).toThrow(/carried-state array 0 has 5 values/);
  });
});
