import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/index.ts';
import { addColumnSumsInto, gemmNTInto, transposeInto } from '../../src/math/gemm.ts';
import { WasmGemm } from '../../src/train/kernels/wasm-gemm.ts';
import { onNode } from '../helpers/runtime.ts';

/** The textbook triple loop in float64, as the answer key. */
function reference(a: Float32Array, aOffset: number, lda: number, b: Float32Array, bOffset: number, ldb: number, m: number, n: number, k: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) s += a[aOffset + i * lda + p] * b[bOffset + j * ldb + p];
    out[i * n + j] = s;
  }
  return out;
}

// Node, Deno and Bun all have WebAssembly SIMD; the wasm kernels must match the same answer key.
// Relaxed SIMD (the fused multiply-add module) is there on Deno and Node 22+, not on Node 20 unflagged.
const wasm = WasmGemm.create('simd');
const relaxed = WasmGemm.create('relaxed-simd');
const kernels: Array<readonly [string, typeof gemmNTInto]> = [
  ['typescript', gemmNTInto],
  ['wasm simd', wasm === null ? gemmNTInto : wasm.gemmNTInto],
];
if (relaxed !== null) kernels.push(['wasm relaxed-simd', relaxed.gemmNTInto]);

it('WebAssembly SIMD is available on this runtime (the trainer would fall back to TypeScript otherwise)', () => {
  expect(wasm).not.toBeNull();
  expect(wasm!.kind).toBe('simd');
  // The default is the best the runtime has.
  expect(WasmGemm.create()!.kind).toBe(relaxed === null ? 'simd' : 'relaxed-simd');
  if (relaxed === null) console.log('relaxed SIMD is not available on this runtime: its kernel is not tested here (Deno runs it)');
});

describe.each(kernels)('gemmNTInto (%s kernel)', (_name, gemm) => {
  const random = new SeededRandom(1);
  const fill = (n: number) => Float32Array.from({ length: n }, () => random.uniform(-1, 1));
  // Sizes that hit every remainder path of the 4 × 4 register block.
  it.each([
    [1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 9, 3], [8, 12, 16], [7, 6, 33], [13, 17, 2],
  ])('m=%i n=%i k=%i, with offsets and row strides, overwrite and accumulate', (m, n, k) => {
    const lda = k + 3;
    const ldb = k + 1;
    const ldOut = n + 2;
    const a = fill(5 + m * lda);
    const b = fill(2 + n * ldb);
    const expected = reference(a, 5, lda, b, 2, ldb, m, n, k);
    const out = fill(7 + m * ldOut);
    const before = out.slice();
    gemm(out, 7, ldOut, a, 5, lda, b, 2, ldb, m, n, k, false);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(out[7 + i * ldOut + j]).toBeCloseTo(expected[i * n + j], 5);
    // Padding between rows is untouched.
    for (let i = 0; i < m; i++) for (let j = n; j < ldOut && 7 + i * ldOut + j < out.length; j++) expect(out[7 + i * ldOut + j]).toBe(before[7 + i * ldOut + j]);
    const again = out.slice();
    gemm(out, 7, ldOut, a, 5, lda, b, 2, ldb, m, n, k, true);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(out[7 + i * ldOut + j]).toBeCloseTo(again[7 + i * ldOut + j] + expected[i * n + j], 5);
  });

});

describe('layout helpers', () => {
  it('transposeInto and addColumnSumsInto', () => {
    const a = Float32Array.from({ length: 3 * 5 }, (_, i) => i);
    const t = new Float32Array(5 * 3);
    transposeInto(t, 0, 3, a, 0, 5, 3, 5);
    expect(Array.from(t)).toEqual([0, 5, 10, 1, 6, 11, 2, 7, 12, 3, 8, 13, 4, 9, 14]);
    const sums = Float32Array.of(1, 1, 1, 1, 1);
    addColumnSumsInto(sums, a, 0, 5, 3, 5);
    expect(Array.from(sums)).toEqual([16, 19, 22, 25, 28]);
  });
});

// Node only, as test/math/wasm-build.test.ts: the committed bytes of both GEMM modules are what
// gemm.wat assembles to (the relaxed one with its multiply-adds fused).
describe.skipIf(!onNode)('gemm-wasm-bytes.ts', () => {
  it('is exactly what bench/train-build-gemm-wasm.mjs assembles from gemm.wat (run it after editing the .wat)', () => {
    const result = spawnSync(process.execPath, ['bench/train-build-gemm-wasm.mjs', '--check'], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stdout).toContain('gemm-wasm-bytes.ts is up to date');
    expect(result.status).toBe(0);
  });
});
