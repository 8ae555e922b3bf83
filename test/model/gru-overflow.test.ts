import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, createCell, createRandomModel, decodeModel, encodeModel, ErrorCode, F32Matrix, FormatError, Model, setKernelBackend, type Architecture } from '../../src/index.ts';
import { PRE_ACTIVATION_LIMIT } from '../../src/model/weight-bounds.ts';
import { documentOf, seal } from '../format/model-file-helpers.ts';

// The load-time overflow check (model/weight-bounds.ts) for the GRU: both
// biases count, the row bound covers the input and hidden products apart
// (and r ⊙ h), h of a GRU stays in [−1, 1], so the next layer and the head
// are bounded by it.
afterEach(() => setKernelBackend('auto'));

const GRU: Architecture = { cell: 'gru', input: 'embedding', vocabSize: 12, inputSize: 6, hiddenSize: 5, numLayers: 2, head: 'softmax', outputSize: 12 };

/** The model with one layer-0 value changed: weight element `at` (row-major) or bias element, then built again. */
function withLayer0(model: Model, change: { weight?: [number, number]; bias?: [number, number] }): Model {
  const layers = model.layers.map((layer, l) => {
    const weight = layer.weight.toFloat32();
    const bias = layer.bias.slice();
    if (l === 0 && change.weight) weight[change.weight[0]] = change.weight[1];
    if (l === 0 && change.bias) bias[change.bias[0]] = change.bias[1];
    return createCell(layer.kind, layer.inputSize, layer.hiddenSize, new F32Matrix(layer.weight.rows, layer.weight.cols, weight), bias);
  });
  return new Model({ embedding: model.embedding, layers, head: model.head });
}

describe('GRU weight bounds at load', () => {
  it.each(['gru', 'gru-reset-before'] as const)('%s: a b_hh element past 2^120 is refused naming the row, gate and unit, from a Model and from a file', (cell) => {
    const model = createRandomModel({ ...GRU, cell }, { seed: 3 });
    const H = 5;
    // b_hh of gate n, unit 2: bias element 3H + 2H + 2; its row is 2H + 2.
    const bad = (): Model => withLayer0(model, { bias: [3 * H + 2 * H + 2, 2 ** 121] });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (error) {
      expect((error as ConfigError).code).toBe(ErrorCode.WEIGHT_OVERFLOW);
      expect((error as Error).message).toMatch(/layer 0 weight and bias, row 12 \(gate n, unit 2\)/);
    }
  });

  it('b_ih and b_hh each under the limit but together over it are refused: both halves count', () => {
    const model = createRandomModel(GRU, { seed: 4 });
    const half = PRE_ACTIVATION_LIMIT * 0.75;
    const layers = model.layers.map((layer, l) => {
      const bias = layer.bias.slice();
      if (l === 0) {
        bias[1] = half; // b_ir, unit 1
        bias[15 + 1] = half; // b_hr, unit 1
      }
      return createCell(layer.kind, layer.inputSize, layer.hiddenSize, layer.weight, bias);
    });
    expect(() => new Model({ embedding: model.embedding, layers, head: model.head })).toThrow(/row 1 \(gate r, unit 1\)/);
  });

  it.each(['gru', 'gru-reset-before'] as const)('%s: large finite weights under the bound load, and h stays in [−1, 1] and finite on both kernels', (cell) => {
    const model = createRandomModel({ ...GRU, cell }, { seed: 5 });
    const big = withLayer0(model, { weight: [11 * 11 + 8, 1e30], bias: [3, -1e30] });
    for (const backend of ['wasm', 'typescript'] as const) {
      setKernelBackend(backend);
      const session = big.session();
      for (let t = 0; t < 20; t++) {
        const logits = session.step(t % 12);
        expect(logits.every(Number.isFinite)).toBe(true);
        expect(session.h.every((v) => v >= -1 && v <= 1)).toBe(true);
      }
    }
  });

  it('an overflowing GRU file is refused with a FormatError naming the tensor row', () => {
    const document = documentOf(encodeModel(createRandomModel({ ...GRU, cell: 'gru-reset-before' }, { seed: 6 })));
    const bias = document.tensors.find((t: { name: string }) => t.name === 'layers.1.bias');
    new DataView(bias.data.buffer, bias.data.byteOffset).setFloat32(4 * 7, 2 ** 121, true); // b_iz, unit 2: row 7
    try {
      decodeModel(seal(document));
      throw new Error('expected decodeModel to throw');
    } catch (error) {
      expect(error).toBeInstanceOf(FormatError);
      expect((error as FormatError).code).toBe(ErrorCode.WEIGHT_OVERFLOW);
      expect((error as Error).message).toMatch(/layer 1 weight and bias, row 7 \(gate z, unit 2\)/);
    }
  });
});
