import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../src/index.ts';
import { WasmGemm } from '../../src/train/kernels/wasm-gemm.ts';
import { SoftmaxHeadGraph } from '../../src/train/graph/softmax-head.ts';

/** softmax(a · bᵀ + bias) row by row and Σ −log p[target], in float64: the answer key. */
function reference(a: Float32Array, b: Float32Array, bias: Float32Array, targets: Int32Array, m: number, n: number, k: number) {
  const probabilities = new Float64Array(m * n);
  let loss = 0;
  for (let i = 0; i < m; i++) {
    const logits = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      let s = bias[j];
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
      logits[j] = s;
    }
    const max = Math.max(...logits);
    let sum = 0;
    for (let j = 0; j < n; j++) sum += Math.exp(logits[j] - max);
    for (let j = 0; j < n; j++) probabilities[i * n + j] = Math.exp(logits[j] - max) / sum;
    loss += max + Math.log(sum) - logits[targets[i]];
  }
  return { probabilities, loss };
}

const kinds = (['simd', 'relaxed-simd'] as const).filter((kind) => WasmGemm.create(kind) !== null);

describe.each(kinds)('WasmGemm.softmaxNTInto (%s module)', (kind) => {
  const random = new SeededRandom(7);
  const fill = (length: number, scale: number) => Float32Array.from({ length }, () => random.uniform(-scale, scale));

  // Rows and widths that leave every tail: odd m (padded to 2), n not a multiple of 4.
  it.each([
    [1, 1, 3], [3, 5, 7], [2, 8, 4], [7, 37, 9], [20, 1003, 16],
  ])('m=%i n=%i k=%i matches the float64 answer key', (m, n, k) => {
    const gemm = WasmGemm.create(kind)!;
    const a = fill(m * k, 1);
    const b = fill(n * k, 1);
    const bias = fill(n, 2);
    const targets = Int32Array.from({ length: m }, (_, i) => (i * 7919) % n);
    const out = new Float32Array(m * n).fill(Number.NaN);
    const loss = gemm.softmaxNTInto(out, a, b, bias, targets, m, n, k);
    const expected = reference(a, b, bias, targets, m, n, k);
    expect(Math.abs(loss - expected.loss)).toBeLessThan(1e-5 * Math.max(1, expected.loss));
    let worst = 0;
    for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(out[i] - expected.probabilities[i]) / (1e-6 + 2e-6 * expected.probabilities[i]));
    expect(worst).toBeLessThan(1);
  });

  it('large logits neither overflow nor lose the target: the loss comes from the logits', () => {
    const gemm = WasmGemm.create(kind)!;
    const m = 3;
    const n = 10;
    const k = 4;
    // Row 0: one logit 200 above the rest (its probability 1, the others e^-200, which the exp's clamp at −87 keeps tiny but positive).
    const a = new Float32Array(m * k);
    a.set([10, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    const b = new Float32Array(n * k);
    b[0] = 20;
    for (let j = 1; j < n; j++) b[j * k + 1] = j;
    const bias = new Float32Array(n);
    const targets = Int32Array.from([1, 0, 9]);
    const out = new Float32Array(m * n);
    const loss = gemm.softmaxNTInto(out, a, b, bias, targets, m, n, k);
    const expected = reference(a, b, bias, targets, m, n, k);
    expect(loss).toBeCloseTo(expected.loss, 3);
    expect(loss).toBeGreaterThan(199);
    expect(out[0]).toBeCloseTo(1, 6);
    for (const p of out) expect(Number.isFinite(p) && p >= 0).toBe(true);
  });

  it('the head gives the same loss and gradients with the kernel softmax as with TypeScript', () => {
    const H = 6;
    const O = 29;
    const rows = 5;
    const weight = fill(O * H, 1);
    const bias = fill(O, 1);
    const input = fill(rows * H, 1);
    const targets = Int32Array.from([0, 28, 3, 3, 17]);
    const gemm = WasmGemm.create(kind)!;
    const run = (softmax: WasmGemm['softmaxNTInto'] | null) => {
      const dWeight = new Float32Array(O * H);
      const dBias = new Float32Array(O);
      const head = new SoftmaxHeadGraph(H, O, rows, weight, bias, dWeight, dBias, gemm.gemmNTInto, true, softmax);
      const loss = head.forward(input, targets, rows);
      const dInput = new Float32Array(rows * H);
      head.backward(dInput, rows, 1 / rows);
      return { loss, dWeight, dBias, dInput };
    };
    const typescript = run(null);
    const wasm = run(gemm.softmaxNTInto);
    expect(wasm.loss).toBeCloseTo(typescript.loss, 5);
    for (const key of ['dWeight', 'dBias', 'dInput'] as const) {
      typescript[key].forEach((value, i) => expect(wasm[key][i]).toBeCloseTo(value, 6));
    }
  });
});
