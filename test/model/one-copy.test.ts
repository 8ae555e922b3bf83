import { afterEach, describe, expect, it } from 'vitest';
import { createCell, createRandomModel, Model, Q8Matrix, setKernelBackend } from '../../src/index.ts';
import { stepKernelsFor } from '../../src/model/step-kernels.ts';
import { RecurrentLayerKernel } from '../../src/math/wasm/recurrent-layer-kernel.ts';
import { Q8MatVecKernel } from '../../src/math/wasm/q8-matvec-kernel.ts';

afterEach(() => setKernelBackend('auto'));

/** A token LSTM model with int8 weights and the head tied to the embedding (one Q8Matrix), like the shipped one. */
function tiedQ8Model(hiddenSize: number, vocabSize: number): Model {
  const f32 = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize, inputSize: hiddenSize, hiddenSize, numLayers: 2, head: 'softmax', outputSize: vocabSize }, { seed: 7 });
  const table = f32.embedding!;
  const tied = Q8Matrix.fromFloat32(table.rows, table.cols, table.toFloat32());
  const layers = f32.layers.map((layer) =>
    createCell(layer.kind, layer.inputSize, layer.hiddenSize, Q8Matrix.fromFloat32(layer.weight.rows, layer.weight.cols, layer.weight.toFloat32()), layer.bias),
  );
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
    expect(headKernel.weight).not.toBeNull();
    // The matrix now reads the kernel's array (the array it was built from is no longer held), values unchanged.
    expect(head.data).toBe(headKernel.weight);
    expect(head.data).not.toBe(before.head);
    expect(model.embedding).toBe(head);
    expect(Array.from(head.data)).toEqual(Array.from(values.head));
    model.layers.forEach((layer, l) => {
      const kernel = kernels.layers[l] as RecurrentLayerKernel;
      const data = (layer.weight as Q8Matrix).data;
      expect(data).toBe(kernel.q8Weight);
      expect(data).not.toBe(before.layers[l]);
      expect(Array.from(data)).toEqual(Array.from(values.layers[l]));
    });
    // byteLength counts the shared matrix once.
    const layerBytes = model.layers.reduce((sum, layer) => sum + layer.weight.byteLength + layer.bias.byteLength, 0);
    expect(model.byteLength).toBe(head.byteLength + layerBytes + model.head!.bias.byteLength);
  });

  it('keeps the matrix’s own array where the kernel pads the columns (I + H not a multiple of 16)', () => {
    const model = tiedQ8Model(12, 50);
    const head = model.head!.weight as Q8Matrix;
    const before = head.data;
    expect(setKernelBackend('wasm')).toBe('wasm');
    model.session().step(1);
    const kernels = stepKernelsFor(model);
    expect((kernels.head as Q8MatVecKernel).weight).toBeNull();
    expect(head.data).toBe(before);
    expect((kernels.layers[0] as RecurrentLayerKernel).q8Weight).toBeNull();
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
