import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/model/errors.ts';
import { cellStateOffsetOf, hiddenOffsetOf, hiddenStateSize, type Architecture } from '../../src/model/architecture.ts';
import { createRandomModel } from '../../src/model/random-model.ts';
import { ErrorCode } from '../../src/errors.ts';
import { exportOnnx } from '../../src/interop/onnx/export-onnx.ts';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import { exportSafetensors } from '../../src/interop/safetensors/write-safetensors.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { runSteps, stepInputsOf } from '../helpers/onnx-steps.ts';

// Issue 16, item 3, in ONNX: a stack whose layers differ in kind and size is
// a chain of LSTM / GRU / RNN nodes of their own hidden_size, with one state
// input and output per layer (h0_l{l}, c0_l{l} for LSTM layers; h_n_l{l},
// c_n_l{l}). ONNX Runtime (onnxruntime-node, CPU) runs our export and gives
// our step-by-step outputs and final states within 1e-5; the file imports
// back unchanged. PyTorch's state dict (safetensors) has one kind and one
// size per module, so its export refuses a mixed stack naming why.
const TOLERANCE = 1e-5;
const STEPS = 14;

const CASES: { name: string; architecture: Architecture }[] = [
  {
    name: 'LSTM 24 → GRU 16 (linear_before_reset 0, hard sigmoid) language model',
    architecture: {
      cell: 'lstm', input: 'embedding', vocabSize: 37, inputSize: 9, hiddenSize: 24, numLayers: 2, head: 'softmax', outputSize: 37,
      layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'hard-sigmoid', cell: 'gru-reset-before', hiddenSize: 16 }],
    },
  },
  {
    name: 'RNN tanh 21 → GRU 13 (linear_before_reset 1) → LSTM 7, dense input, linear head',
    architecture: {
      cell: 'rnn-tanh', input: 'dense', vocabSize: 0, inputSize: 5, hiddenSize: 21, numLayers: 3, head: 'linear', outputSize: 3,
      layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid', cell: 'gru', hiddenSize: 13 }, { gateActivation: 'sigmoid', cell: 'lstm', hiddenSize: 7 }],
    },
  },
  {
    name: 'GRU 11 → RNN ReLU 6, dense input, no head',
    architecture: {
      cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 4, hiddenSize: 11, numLayers: 2, head: 'none', outputSize: 0,
      layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'sigmoid', cell: 'rnn-relu', hiddenSize: 6 }],
    },
  },
];

describe('mixed stacks through ONNX', () => {
  it.each(CASES)('$name: ONNX Runtime runs our export and gives our outputs and every layer\'s final state', async (c) => {
    const ort = await import('onnxruntime-node');
    const model = createRandomModel(c.architecture, { seed: 21, embeddingScale: 1 });
    const a = model.architecture;
    const inputs = stepInputsOf(model, 3, STEPS);
    const ours = runSteps(model, inputs);
    const session = await ort.InferenceSession.create(exportOnnx(model), { executionProviders: ['cpu'] });
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> =
      a.input === 'embedding'
        ? { tokens: new ort.Tensor('int64', BigInt64Array.from(inputs.tokens, BigInt), [STEPS, 1]) }
        : { x: new ort.Tensor('float32', Float32Array.from(inputs.rows.flatMap((r) => [...r])), [STEPS, 1, a.inputSize]) };
    model.layers.forEach((layer, l) => {
      const zeros = (): InstanceType<typeof ort.Tensor> => new ort.Tensor('float32', new Float32Array(layer.hiddenSize), [1, 1, layer.hiddenSize]);
      feeds[`h0_l${l}`] = zeros();
      if (layer.kind === 'lstm') feeds[`c0_l${l}`] = zeros();
    });
    const result = await session.run(feeds);
    const main = result[a.head === 'softmax' ? 'logits' : a.head === 'linear' ? 'output' : 'y'];
    const top = model.layers[model.layers.length - 1].hiddenSize;
    expect(main.dims).toEqual([STEPS, 1, a.head === 'none' ? top : a.outputSize]);
    let worst = maxAbsDiff(main.data as Float32Array, ours.outputs);
    const cStart = hiddenStateSize(a);
    model.layers.forEach((layer, l) => {
      const H = layer.hiddenSize;
      const h = ours.h.subarray(hiddenOffsetOf(a, l), hiddenOffsetOf(a, l) + H);
      expect(result[`h_n_l${l}`].dims).toEqual([1, 1, H]);
      worst = Math.max(worst, maxAbsDiff(result[`h_n_l${l}`].data as Float32Array, h));
      if (layer.kind === 'lstm') {
        const at = cellStateOffsetOf(a, l);
        worst = Math.max(worst, maxAbsDiff(result[`c_n_l${l}`].data as Float32Array, ours.c!.subarray(at, at + H)));
      }
    });
    expect(cStart).toBe(ours.h.length);
    console.log(`${runtimeName()}, ONNX Runtime, mixed ${c.name}: max |ORT − ours| outputs and final states ${worst.toExponential(2)}`);
    expect(worst).toBeLessThan(TOLERANCE);
    expect(Math.max(...ours.outputs.map(Math.abs))).toBeGreaterThan(0.01);
    await session.release();
  });

  it.each(CASES)('$name: the ONNX file imports back as the same stack', (c) => {
    const model = createRandomModel(c.architecture, { seed: 22 });
    const back = importOnnx(exportOnnx(model));
    expect(back.architecture).toEqual(model.architecture);
    const inputs = stepInputsOf(model, 4, STEPS);
    expect(maxAbsDiff(runSteps(back, inputs).outputs, runSteps(model, inputs).outputs)).toBeLessThanOrEqual(1e-6);
  });

  it('safetensors (a PyTorch state dict) refuses a mixed stack, saying why', () => {
    const model = createRandomModel(CASES[0].architecture, { seed: 23 });
    let error: unknown = null;
    try {
      exportSafetensors(model);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe(ErrorCode.INVALID_CONFIG);
    expect((error as ConfigError).message).toMatch(/a stack whose layers differ in kind or size \(lstm:24, gru-reset-before:16 \(hard-sigmoid\)\) has no PyTorch state dict: nn\.LSTM, nn\.GRU and nn\.RNN have one cell kind and one hidden size/);
  });
});
