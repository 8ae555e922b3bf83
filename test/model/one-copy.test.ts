import { afterEach, describe, expect, it } from 'vitest';
import { createCell, createRandomModel, Model, Q4Matrix, Q8Matrix, setKernelBackend } from '../../src/index.ts';
import { stepKernelsFor } from '../../src/model/step-kernels.ts';
import type { RecurrentLayerKernel } from '../../src/math/wasm/recurrent-layer-kernel.ts';
import type { Q4RecurrentWeights } from '../../src/math/wasm/recurrent-q4-weights.ts';
import type { Q8RecurrentWeights } from '../../src/math/wasm/recurrent-q8-weights.ts';
import { Q4MatVecKernel } from '../../src/math/wasm/q4-matvec-kernel.ts';
import { Q8MatVecKernel } from '../../src/math/wasm/q8-matvec-kernel.ts';

afterEach(() => setKernelBackend('auto'));

/** A token LSTM model with int8 (or 4-bit, blocks of 32) weights and the head tied to the embedding (one matrix), like the shipped one. */
function tiedQ8Model(hiddenSize: number, vocabSize: number, dtype: 'q8' | 'q4' = 'q8'): Model {
  const f32 = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize, inputSize: hiddenSize, hiddenSize, numLayers: 2, head: 'softmax', outputSize: vocabSize }, { seed: 7 });
  const quantize = (rows: number, cols: number, values: Float32Array) => (dtype === 'q8' ? Q8Matrix.fromFloat32(rows, cols, values) : Q4Matrix.fromFloat32(rows, cols, values, 32));
  const table = f32.embedding!;
  const tied = quantize(table.rows, table.cols, table.toFloat32());
  const layers = f32.layers.map((layer) => createCell(layer.kind, layer.inputSize, layer.hiddenSize, quantize(layer.weight.rows, layer.weight.cols, layer.weight.toFloat32()), layer.bias));
  return new Model({ embedding: tied, layers, head: { kind: 'softmax', weight: tied, bias: f32.head!.bias } });
}

describe('a model holds its int8 weights once', () => {
  it('after the first WebAssembly session, the tied embedding/head and the LSTM layers read the kernels’ copies, with the same values', () => {
    const model = tiedQ8Model(32, 203);
    const head = model.head!.weight as Q8Matrix;
    const before = { head: head.data, layers: model.layers.map((layer) => (layer.weight as Q8Matrix).data) };
    const values = { head: before.head.slice(), layers: before.layers.map((data) => data.slice()) };
    expect(setKernelBackend('wasm')).toBe('wasm');
    const session = model.session();
    session.step(3);
    const kernels = stepKernelsFor(model);
    const headKernel = kernels.head as Q8MatVecKernel;
    // The matrix now reads the kernel's array (the array it was built from is no longer held), values unchanged.
    expect(head.data).toBe(headKernel.weight);
    expect(head.data).not.toBe(before.head);
    expect(model.embedding).toBe(head);
    expect(Array.from(head.data)).toEqual(Array.from(values.head));
    model.layers.forEach((layer, l) => {
      const kernel = kernels.layers[l] as RecurrentLayerKernel<Q8RecurrentWeights>;
      const data = (layer.weight as Q8Matrix).data;
      expect(data).toBe(kernel.weights.data);
      expect(data).not.toBe(before.layers[l]);
      expect(Array.from(data)).toEqual(Array.from(values.layers[l]));
    });
    // byteLength counts the shared matrix once.
    const layerBytes = model.layers.reduce((sum, layer) => sum + layer.weight.byteLength + layer.bias.byteLength, 0);
    expect(model.byteLength).toBe(head.byteLength + layerBytes + model.head!.bias.byteLength);
  });

  it('where the kernel pads the columns (H 12: I + H = 24 and the head’s 12 columns), the matrices read its padded copy, with the same values and products', () => {
    const model = tiedQ8Model(12, 50);
    const head = model.head!.weight as Q8Matrix;
    const layer = model.layers[0].weight as Q8Matrix;
    const before = { head: head.data, layer: layer.data, headBytes: head.byteLength };
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i + 1));
    const otherBias = Float32Array.from({ length: 50 }, (_, i) => i / 50);
    // Products and rows through the matrices' own TypeScript paths (a bias the kernel was not made with), before the copy.
    const products = (): number[][] => [
      Array.from(head.multiplyInto(new Float32Array(50), x, 3, otherBias)),
      Array.from(head.multiplyBlockInto(new Float32Array(20), 0, x, 2, 7, 20, 1, 9)),
      Array.from(head.rowInto(new Float32Array(12), 0, 49)),
      Array.from(layer.multiplyInto(new Float32Array(48), x, 0, null)),
      Array.from(head.toFloat32()),
    ];
    const expected = products();
    expect(setKernelBackend('wasm')).toBe('wasm');
    model.session().step(1);
    const kernels = stepKernelsFor(model);
    const headKernel = kernels.head as Q8MatVecKernel;
    const layerKernel = kernels.layers[0] as RecurrentLayerKernel<Q8RecurrentWeights>;
    expect(headKernel.weightRowStride).toBe(16);
    expect(layerKernel.weights.rowStride).toBe(32);
    // The arrays the matrices were built from are let go: byteLength is the kernel's padded rows (50 × 16, 48 × 32) plus the scales.
    expect(head.byteLength).toBe(50 * 16 + 4 * 50);
    expect(layer.byteLength).toBe(48 * 32 + 4 * 48);
    expect(before.headBytes).toBe(50 * 12 + 4 * 50);
    // `data` is a compact copy with the same values; the products are unchanged.
    expect(Array.from(head.data)).toEqual(Array.from(before.head));
    expect(Array.from(layer.data)).toEqual(Array.from(before.layer));
    expect(products()).toEqual(expected);
  });

  it('a session made after the copy steps exactly like one on a model that was never shared', () => {
    const shared = tiedQ8Model(32, 203);
    const fresh = tiedQ8Model(32, 203);
    expect(setKernelBackend('wasm')).toBe('wasm');
    shared.session().step(5);
    const a = shared.session();
    const b = fresh.session();
    for (const token of [1, 17, 202, 0, 99]) expect(Array.from(a.step(token))).toEqual(Array.from(b.step(token)));
  });
});

describe('a model holds its 4-bit weights once', () => {
  it('where the kernels pad the columns (H 12: the head’s 12 and the layers’ 24 columns to 32), the matrices read their padded nibbles and scales, with the same values and products', () => {
    const model = tiedQ8Model(12, 50, 'q4');
    const head = model.head!.weight as Q4Matrix;
    const layer = model.layers[0].weight as Q4Matrix;
    const before = { head: head.data, layer: layer.data, headScales: head.scales, headBytes: head.byteLength };
    const x = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i + 1));
    const otherBias = Float32Array.from({ length: 50 }, (_, i) => i / 50);
    const products = (): number[][] => [
      Array.from(head.multiplyInto(new Float32Array(50), x, 3, otherBias)),
      Array.from(head.multiplyBlockInto(new Float32Array(20), 0, x, 2, 7, 20, 1, 9)),
      Array.from(head.rowInto(new Float32Array(12), 0, 49)),
      Array.from(layer.multiplyInto(new Float32Array(48), x, 0, null)),
      Array.from(head.toFloat32()),
    ];
    const expected = products();
    expect(setKernelBackend('wasm')).toBe('wasm');
    model.session().step(1);
    const kernels = stepKernelsFor(model);
    const headKernel = kernels.head as Q4MatVecKernel;
    const layerKernel = kernels.layers[0] as RecurrentLayerKernel<Q4RecurrentWeights>;
    expect(headKernel).toBeInstanceOf(Q4MatVecKernel);
    expect(headKernel.dataRowStride).toBe(16);
    expect(layerKernel.weights.rowStride).toBe(16);
    // Both read the kernels' memory now: nibbles and scales.
    expect(head.storageView).toBe(headKernel.data);
    expect(head.scales).toBe(headKernel.scales);
    expect(head.scales).not.toBe(before.headScales);
    expect(layer.storageView).toBe(layerKernel.weights.data);
    expect(layer.scales).toBe(layerKernel.weights.scales);
    // byteLength: the padded rows (16 bytes for 12 or 24 columns) plus one scale per row.
    expect(head.byteLength).toBe(50 * 16 + 4 * 50);
    expect(layer.byteLength).toBe(48 * 16 + 4 * 48);
    expect(before.headBytes).toBe(50 * 6 + 4 * 50);
    expect(Array.from(head.data)).toEqual(Array.from(before.head));
    expect(Array.from(layer.data)).toEqual(Array.from(before.layer));
    expect(products()).toEqual(expected);
  });

  it('a 4-bit session on the WebAssembly kernels follows the TypeScript one', () => {
    const wasmModel = tiedQ8Model(40, 120, 'q4');
    const typescriptModel = tiedQ8Model(40, 120, 'q4');
    expect(setKernelBackend('typescript')).toBe('typescript');
    const reference = typescriptModel.session();
    const expected = [3, 17, 119, 0, 64].map((token) => Array.from(reference.step(token)));
    expect(setKernelBackend('wasm')).toBe('wasm');
    const session = wasmModel.session();
    let worst = 0;
    [3, 17, 119, 0, 64].forEach((token, t) => {
      const out = session.step(token);
      for (let i = 0; i < out.length; i++) worst = Math.max(worst, Math.abs(out[i] - expected[t][i]));
    });
    expect(stepKernelsFor(wasmModel).head).toBeInstanceOf(Q4MatVecKernel);
    // The integer kernel rounds x to 1/32767 of its largest magnitude.
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(1e-3);
  });
});
