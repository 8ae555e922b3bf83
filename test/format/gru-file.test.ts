import { afterEach, describe, expect, it } from 'vitest';
import {
  createRandomModel,
  decodeModel,
  encodeModel,
  F32Matrix,
  FORMAT_VERSION,
  GruCell,
  Q4Matrix,
  Q8Matrix,
  quantizeModel,
  readModelFile,
  setKernelBackend,
  setQ8KernelMode,
} from '../../src/index.ts';
import { gruCases, inputsOf, modelOf, runSession, worstStep } from '../helpers/gru-cases.ts';
import { documentOf, seal } from './model-file-helpers.ts';

// The GRU in the model file (docs/FORMAT.md, version 2), and in f16, q8 and
// q4 storage within the tolerances the LSTM files are held to (FORMAT.md §9).
const F16_TOLERANCE = 1e-3;
const Q8_TOLERANCE = 1e-2;
const Q4_TOLERANCE = 1e-1;

afterEach(() => {
  setKernelBackend('auto');
  setQ8KernelMode('integer');
});

describe('GRU model files', () => {
  it.each(['gru', 'gru-reset-before'] as const)('a %s model is written as version 2 and loads back computing the same bits', (cell) => {
    const model = createRandomModel({ cell, input: 'embedding', vocabSize: 23, inputSize: 6, hiddenSize: 9, numLayers: 2, head: 'softmax', outputSize: 23 }, { seed: 2 });
    const bytes = encodeModel(model);
    const file = readModelFile(bytes);
    expect(file.version).toBe(2);
    expect(FORMAT_VERSION).toBe(4); // the newest this library writes (4: mixed stacks); a GRU file is 2
    expect(file.architecture.cell).toBe(cell);
    expect(file.tensors.map((t) => [t.name, t.shape])).toEqual([
      ['embedding', [23, 6]],
      ['layers.0.weight', [27, 15]],
      ['layers.0.bias', [54]],
      ['layers.1.weight', [27, 18]],
      ['layers.1.bias', [54]],
      ['head.weight', [23, 9]],
      ['head.bias', [23]],
    ]);
    const back = decodeModel(bytes);
    expect(back.layers[0]).toBeInstanceOf(GruCell);
    expect((back.layers[1] as GruCell).resetAfter).toBe(cell === 'gru');
    const inputs = inputsOf(model, 4, 60);
    for (const backend of ['wasm', 'typescript'] as const) {
      expect(worstStep(runSession(back, inputs, backend).outputs, runSession(model, inputs, backend).outputs)).toBe(0);
    }
    expect(encodeModel(back)).toEqual(bytes);
  });

  it('LSTM and Elman files stay version 1, which version-1 readers read', () => {
    for (const cell of ['lstm', 'rnn-tanh', 'rnn-relu'] as const) {
      const model = createRandomModel({ cell, input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'none', outputSize: 0 });
      expect(documentOf(encodeModel(model)).version).toBe(1);
      expect(readModelFile(encodeModel(model)).version).toBe(1);
    }
  });

  it('a GRU file that says version 1 is refused: version-1 readers do not know the cell', () => {
    const document = documentOf(encodeModel(createRandomModel({ cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'none', outputSize: 0 })));
    document.version = 1;
    expect(() => decodeModel(seal(document))).toThrow(/architecture\.cell is "gru", which needs format version 2; this file says version 1/);
  });

  it('a GRU bias of 3H (the fused length of the other cells) is refused naming the tensor', () => {
    const document = documentOf(encodeModel(createRandomModel({ cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'none', outputSize: 0 })));
    const bias = document.tensors.find((t: { name: string }) => t.name === 'layers.0.bias');
    bias.shape = [12];
    bias.data = bias.data.slice(0, 48);
    expect(() => decodeModel(seal(document))).toThrow(/tensor layers\.0\.bias has shape \[12\], expected \[24\]/);
  });

  describe.each(['gru', 'gru-reset-before'] as const)('%s in f16, q8 and q4', (cell) => {
    it.each(gruCases(cell))('$name: quantized weights stay quantized and follow f32 over 240 steps', (c) => {
      const model = modelOf(c, 1);
      const inputs = inputsOf(model, c.seed);
      const reference = runSession(model, inputs, 'typescript').outputs;
      const f16 = decodeModel(encodeModel(model, { dtype: 'f16' }));
      const q8 = decodeModel(encodeModel(model, { dtype: 'q8' }));
      const q4 = decodeModel(encodeModel(model, { dtype: 'q4' }));
      expect(f16.layers[0].weight).toBeInstanceOf(F32Matrix);
      expect(q8.layers.every((layer) => layer.weight instanceof Q8Matrix)).toBe(true);
      expect(q4.layers.every((layer) => layer.weight instanceof Q4Matrix)).toBe(true);
      // quantizeModel is decodeModel(encodeModel(…)) without the file.
      expect(worstStep(runSession(quantizeModel(model, { dtype: 'q8' }), inputs, 'typescript').outputs, runSession(q8, inputs, 'typescript').outputs)).toBe(0);
      const worst: Record<string, number> = {};
      for (const backend of ['wasm', 'typescript'] as const) {
        worst[`f16 ${backend}`] = worstStep(runSession(f16, inputs, backend).outputs, reference);
        worst[`q8 ${backend}`] = worstStep(runSession(q8, inputs, backend).outputs, reference);
        worst[`q4 ${backend}`] = worstStep(runSession(q4, inputs, backend).outputs, reference);
        setQ8KernelMode('float');
        worst[`q8 float ${backend}`] = worstStep(runSession(q8, inputs, backend).outputs, reference);
        setQ8KernelMode('integer');
      }
      console.log(`${c.name}: max |Δ| from f32 ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
      for (const [key, value] of Object.entries(worst)) {
        expect(value, key).toBeLessThan(key.startsWith('f16') ? F16_TOLERANCE : key.startsWith('q8') ? Q8_TOLERANCE : Q4_TOLERANCE);
      }
      // Blocks of 32 for q8 (scales straddling the input/hidden split) load and run too.
      const q8Blocks = decodeModel(encodeModel(model, { dtype: 'q8', blockSize: 32 }));
      expect(worstStep(runSession(q8Blocks, inputs, 'wasm').outputs, reference)).toBeLessThan(Q8_TOLERANCE);
      expect(worstStep(runSession(q8Blocks, inputs, 'typescript').outputs, reference)).toBeLessThan(Q8_TOLERANCE);
    });
  });
});
