import { describe, expect, it } from 'vitest';
import type { Architecture } from '../../src/model/architecture.ts';
import type { Model } from '../../src/model/model.ts';
import { createRandomModel } from '../../src/model/random-model.ts';
import { quantizeModel } from '../../src/format/quantize-model.ts';
import { exportOnnx } from '../../src/interop/onnx/export-onnx.ts';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { runSteps, stepInputsOf } from '../helpers/onnx-steps.ts';

// Must-show 2: our models, exported to ONNX and run by ONNX Runtime (CPU),
// give our own step-by-step outputs within 1e-5. onnxruntime-node is a
// devDependency with a native (N-API) addon; it is imported dynamically here
// (the library never imports it). Node, Deno and Bun all load it.
const TOLERANCE = 1e-5;
const STEPS = 12;

interface Case {
  readonly name: string;
  readonly architecture: Architecture;
  readonly quantize?: 'q8' | 'q4';
}

const CASES: Case[] = [
  { name: '2-layer LSTM language model (embedding, softmax head)', architecture: { cell: 'lstm', input: 'embedding', vocabSize: 50, inputSize: 16, hiddenSize: 24, numLayers: 2, head: 'softmax', outputSize: 50 } },
  { name: 'same model quantized to q8 (dequantized on export)', architecture: { cell: 'lstm', input: 'embedding', vocabSize: 50, inputSize: 16, hiddenSize: 24, numLayers: 2, head: 'softmax', outputSize: 50 }, quantize: 'q8' },
  { name: 'same model quantized to q4 (dequantized on export)', architecture: { cell: 'lstm', input: 'embedding', vocabSize: 50, inputSize: 16, hiddenSize: 24, numLayers: 2, head: 'softmax', outputSize: 50 }, quantize: 'q4' },
  { name: '1-layer LSTM, dense input, no head', architecture: { cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 5, hiddenSize: 7, numLayers: 1, head: 'none', outputSize: 0 } },
  { name: '3-layer Elman tanh, dense input, linear head', architecture: { cell: 'rnn-tanh', input: 'dense', vocabSize: 0, inputSize: 4, hiddenSize: 10, numLayers: 3, head: 'linear', outputSize: 3 } },
  { name: '2-layer Elman ReLU language model', architecture: { cell: 'rnn-relu', input: 'embedding', vocabSize: 30, inputSize: 8, hiddenSize: 12, numLayers: 2, head: 'softmax', outputSize: 30 } },
];

function modelOf(c: Case, seed: number): Model {
  const model = createRandomModel(c.architecture, { seed });
  return c.quantize ? quantizeModel(model, { dtype: c.quantize }) : model;
}

describe('ONNX export run by onnxruntime-node (CPU)', () => {
  it.each(CASES)('$name: ONNX Runtime gives our outputs within 1e-5', async (c) => {
    const ort = await import('onnxruntime-node');
    const model = modelOf(c, 11);
    const inputs = stepInputsOf(model, 5, STEPS);
    const ours = runSteps(model, inputs);
    const session = await ort.InferenceSession.create(exportOnnx(model), { executionProviders: ['cpu'] });
    const a = model.architecture;
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> =
      a.input === 'embedding'
        ? { tokens: new ort.Tensor('int64', BigInt64Array.from(inputs.tokens, BigInt), [STEPS, 1]) }
        : { x: new ort.Tensor('float32', Float32Array.from(inputs.rows.flatMap((r) => [...r])), [STEPS, 1, a.inputSize]) };
    const zeros = (): InstanceType<typeof ort.Tensor> => new ort.Tensor('float32', new Float32Array(a.numLayers * a.hiddenSize), [a.numLayers, 1, a.hiddenSize]);
    feeds.h0 = zeros();
    if (a.cell === 'lstm') feeds.c0 = zeros();
    const result = await session.run(feeds);
    const mainName = a.head === 'softmax' ? 'logits' : a.head === 'linear' ? 'output' : 'y';
    const main = result[mainName];
    expect(main.dims).toEqual([STEPS, 1, a.head === 'none' ? a.hiddenSize : a.outputSize]);
    const worst = maxAbsDiff(main.data as Float32Array, ours.outputs);
    const worstH = maxAbsDiff(result.h_n.data as Float32Array, ours.h);
    const worstC = ours.c === null ? 0 : maxAbsDiff(result.c_n.data as Float32Array, ours.c);
    console.log(`${runtimeName()}, ${c.name}: max |ORT - ours| outputs ${worst.toExponential(2)}, h_n ${worstH.toExponential(2)}, c_n ${worstC.toExponential(2)}`);
    expect(worst).toBeLessThan(TOLERANCE);
    expect(worstH).toBeLessThan(TOLERANCE);
    expect(worstC).toBeLessThan(TOLERANCE);
    // A meaningful comparison: outputs move well beyond the tolerance from step to step.
    expect(Math.max(...ours.outputs.map(Math.abs))).toBeGreaterThan(0.01);
    await session.release();
  });

  it('starts from a given h0/c0 like a session whose state was set', async () => {
    const ort = await import('onnxruntime-node');
    const model = modelOf(CASES[0], 3);
    const a = model.architecture;
    const inputs = stepInputsOf(model, 9, STEPS);
    const start = Float32Array.from({ length: a.numLayers * a.hiddenSize }, (_, i) => Math.sin(i) * 0.5);
    const session = model.session();
    session.h.set(start);
    session.c!.set(start.map((v) => -v));
    const ours: number[] = [];
    for (const token of inputs.tokens) ours.push(...session.step(token));
    const ortSession = await ort.InferenceSession.create(exportOnnx(model));
    const result = await ortSession.run({
      tokens: new ort.Tensor('int64', BigInt64Array.from(inputs.tokens, BigInt), [STEPS, 1]),
      h0: new ort.Tensor('float32', start, [a.numLayers, 1, a.hiddenSize]),
      c0: new ort.Tensor('float32', start.map((v) => -v), [a.numLayers, 1, a.hiddenSize]),
    });
    expect(maxAbsDiff(result.logits.data as Float32Array, Float32Array.from(ours))).toBeLessThan(TOLERANCE);
    await ortSession.release();
  });
});

describe('ONNX export → import round trip (every runtime)', () => {
  it.each(CASES)('$name: the imported model computes what the original does', (c) => {
    const model = modelOf(c, 11);
    const back = importOnnx(exportOnnx(model));
    expect(back.architecture).toEqual(model.architecture);
    const inputs = stepInputsOf(model, 5, STEPS);
    const ours = runSteps(model, inputs);
    const theirs = runSteps(back, inputs);
    // f32 weights come back bit for bit; quantized ones come back dequantized, so only rounding differs.
    if (c.quantize) expect(maxAbsDiff(theirs.outputs, ours.outputs)).toBeLessThan(TOLERANCE);
    else expect(maxAbsDiff(theirs.outputs, ours.outputs)).toBe(0);
  });
});
