import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/index.ts';
import { gemmNTInto } from '../../src/math/gemm.ts';
import { createWasmGemm } from '../../src/math/wasm/gemm-kernel.ts';

describe('WebAssembly GEMM (the trainer’s gemmNTInto, same signature)', () => {
  it.each([
    [1, 1, 1, false],
    [3, 5, 7, false],
    [4, 2, 4, true],
    [9, 7, 33, true],
    [20, 64, 35, false],
    [35, 40, 130, true],
  ] as const)('matches the TypeScript kernel on blocks of larger matrices (m %i, n %i, k %i, accumulate %s)', (m, n, k, accumulate) => {
    const random = new SeededRandom(m * 100 + n * 10 + k);
    const fill = (length: number) => Float32Array.from({ length }, () => random.uniform(-1, 1));
    // Blocks inside larger arrays: offsets and strides wider than the block.
    const lda = k + 3;
    const ldb = k + 5;
    const ldOut = n + 2;
    const a = fill(7 + m * lda);
    const b = fill(11 + n * ldb);
    const start = fill(13 + m * ldOut);
    const expected = gemmNTInto(start.slice(), 13, ldOut, a, 7, lda, b, 11, ldb, m, n, k, accumulate);
    const gemm = createWasmGemm();
    const got = gemm.gemmNTInto(start.slice(), 13, ldOut, a, 7, lda, b, 11, ldb, m, n, k, accumulate);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    expect(worst).toBeLessThan(1e-5);
    // Untouched outside the block.
    expect(got[0]).toBe(start[0]);
    expect(got[12]).toBe(start[12]);
  });

  it('reuses and grows its memory across calls of different sizes', () => {
    const gemm = createWasmGemm();
    for (const size of [8, 300, 4]) {
      const a = new Float32Array(size * size).fill(1);
      const out = gemm.gemmNTInto(new Float32Array(size * size), 0, size, a, 0, size, a, 0, size, size, size, size, false);
      expect(out[size * size - 1]).toBe(size);
    }
  });
});
