import { beforeAll, describe, expect, it } from 'vitest';
import { onNode } from '../helpers/runtime.ts';
import { ensureBuiltDist } from './dist-build.ts';
import { createCell, createRandomModel, decodeModel, describeLayers, encodeModel, F32Matrix, fromTorchStateDict, Model, SeededRandom, toTorchStateDict, type Architecture } from '../../src/index.ts';
import { lossAndGradients, NetworkGraph, TrainableModel, train } from '../../src/train/index.ts';
import { referenceOutputs } from '../helpers/gate-reference.ts';
import { inputsOf, worstStep } from '../helpers/gru-cases.ts';
import { centralDifferences, largestIndices } from '../helpers/central-differences.ts';

// The trainer on stacks whose layers differ in kind and size (issue 16,
// item 3): exact BPTT through NetworkGraph, checked against central finite
// differences on every parameter tensor, with dropout between layers (each
// layer's mask of its own width) and across truncated windows (each layer's
// carried state of its own size); a mixed model trains, and the worker
// threads' transport carries each layer's kind and size.
const VOCAB = 7;
const STEPS = 9;

const MIXED: Architecture = {
  cell: 'lstm', input: 'embedding', vocabSize: VOCAB, inputSize: 3, hiddenSize: 6, numLayers: 3, head: 'softmax', outputSize: VOCAB,
  layers: [{ gateActivation: 'sigmoid' }, { gateActivation: 'hard-sigmoid', cell: 'gru-reset-before', hiddenSize: 4 }, { gateActivation: 'sigmoid', cell: 'rnn-tanh', hiddenSize: 5 }],
};

/** The mixed stack with weights spread so gates work across their range (and some hard ones clip). */
function setup(seed: number) {
  const base = createRandomModel(MIXED, { seed, embeddingScale: 1 });
  const layers = base.layers.map((layer) =>
    createCell(layer.kind, layer.inputSize, layer.hiddenSize, new F32Matrix(layer.weight.rows, layer.weight.cols, layer.weight.toFloat32().map((v) => 3 * v)), layer.bias.map((v) => 3 * v), {
      gateActivation: layer.gateActivation,
    }),
  );
  const model = new Model({ embedding: base.embedding, layers, head: base.head });
  const random = new SeededRandom(seed * 7 + 1);
  const inputs = Array.from({ length: STEPS }, () => random.integer(VOCAB));
  const targets = Array.from({ length: STEPS }, () => random.integer(VOCAB));
  return { model, inputs, targets };
}

function graphOf(trainable: TrainableModel, dropout = 0): NetworkGraph {
  return new NetworkGraph(trainable, { batchSize: 1, window: STEPS, kernel: 'typescript', dropout });
}

describe('a mixed stack (LSTM 6 → GRU reset-before 4, hard sigmoid → RNN tanh 5) in the trainer', () => {
  it('the forward loss is the cross-entropy of the f64 equations', () => {
    const { model, inputs, targets } = setup(3);
    const trainable = new TrainableModel(model);
    expect(describeLayers(trainable.model.architecture)).toBe('lstm:6, gru-reset-before:4 (hard-sigmoid), rnn-tanh:5');
    const logits = referenceOutputs(model, { tokens: inputs, rows: [] });
    let nll = 0;
    logits.forEach((row, t) => {
      const max = Math.max(...row);
      nll += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[targets[t]];
    });
    const loss = graphOf(trainable).forward(Int32Array.from(inputs), Int32Array.from(targets), STEPS, null);
    expect(Math.abs(loss - nll / STEPS)).toBeLessThan(1e-5);
  });

  it.each([0, 0.3])('finite differences agree with the BPTT gradient on every parameter tensor (dropout %s)', (dropout) => {
    const { model, inputs, targets } = setup(4);
    const trainable = new TrainableModel(model);
    const graph = graphOf(trainable, dropout);
    const x = Int32Array.from(inputs);
    const y = Int32Array.from(targets);
    // The same seed draws the same masks, so the loss is a fixed function of the weights.
    const masks = dropout > 0 ? { seed: 17, firstStream: 0 } : null;
    const lossOf = (): number => {
      graph.resetState();
      return graph.forward(x, y, STEPS, masks);
    };
    trainable.zeroGradients();
    lossOf();
    graph.backward();
    const analytic = new Map(trainable.parameters.map((slot) => [slot.name, slot.gradient.slice()]));
    const { checked, worst, failures } = centralDifferences(trainable.parameters, analytic, lossOf, (_, gradient) => [...largestIndices(gradient, 6), gradient.length >> 1, gradient.length - 1]);
    console.log(`mixed stack, dropout ${dropout}: ${checked} elements over ${trainable.parameters.length} tensors, max |numeric − analytic| ${worst.toExponential(2)}`);
    expect(failures).toEqual([]);
    expect(trainable.parameters.map((slot) => slot.name)).toEqual(['emb.weight', 'rnn.weight_l0', 'rnn.bias_l0', 'rnn.weight_l1', 'rnn.bias_l1', 'rnn.weight_l2', 'rnn.bias_l2', 'out.weight', 'out.bias']);
    expect(checked).toBeGreaterThan(60);
  });

  it('truncated windows carry each layer\'s state of its own size: two windows of 4 and 5 give the loss of one of 9', () => {
    const { model, inputs, targets } = setup(5);
    const trainable = new TrainableModel(model);
    const whole = graphOf(trainable).forward(Int32Array.from(inputs), Int32Array.from(targets), STEPS, null);
    const graph = graphOf(trainable);
    const first = graph.forward(Int32Array.from(inputs.slice(0, 4)), Int32Array.from(targets.slice(0, 4)), 4, null);
    const second = graph.forward(Int32Array.from(inputs.slice(4)), Int32Array.from(targets.slice(4)), 5, null);
    expect(Math.abs((4 * first + 5 * second) / 9 - whole)).toBeLessThan(1e-6);
    expect(graph.stateArrays().map((a) => a.length)).toEqual([6, 6, 4, 5]); // h and C of the LSTM, h of the GRU, h of the RNN
    // lossAndGradients (full BPTT over the sequence) agrees with the graph.
    const { loss } = lossAndGradients(model, inputs, targets);
    expect(Math.abs(loss - whole)).toBeLessThan(1e-6);
  });

  it('trains (loss falls), keeps each layer\'s kind and size through export and the workers\' transport', async () => {
    const { model } = setup(6);
    const random = new SeededRandom(2);
    const stream = Int32Array.from({ length: 2001 }, (_, t) => (random.next() < 0.7 ? (t * 3) % VOCAB : random.integer(VOCAB)));
    const result = await train(model, {
      train: { inputs: stream.subarray(0, 2000), targets: stream.subarray(1, 2001), inputWidth: 1, targetWidth: 1 },
      validation: null,
      batchSize: 4,
      window: 10,
      epochs: 3,
      learningRate: 0.01,
      dropout: 0.1,
      kernel: 'typescript',
    });
    expect(result.history[2].trainLoss).toBeLessThan(result.history[0].trainLoss);
    expect(result.model.architecture).toEqual(model.architecture);
    expect(decodeModel(encodeModel(result.model)).architecture).toEqual(model.architecture);
    const sent = toTorchStateDict(result.model, { transport: true });
    const received = fromTorchStateDict(sent, { cells: result.model.layers.map((layer) => layer.kind), gateActivations: result.model.layers.map((layer) => layer.gateActivation) });
    const inputs = inputsOf(result.model, 5, 30);
    expect(worstStep(referenceOutputs(received, inputs), referenceOutputs(result.model, inputs))).toBe(0);
    expect(() => toTorchStateDict(result.model)).toThrow(/a stack whose layers differ in kind or size .* has no PyTorch state dict/);
    expect(() => fromTorchStateDict(sent, { cells: ['lstm'] })).toThrow(/cells has 1 entries for a 3-layer state dict/);
  });
});

// Worker threads load the built dist/train.js (Node only), as workers.test.ts.
describe.skipIf(!onNode)('a mixed stack in the worker threads', () => {
  beforeAll(() => ensureBuiltDist(), 180_000);

  it('2 threads compute the same training as 1 (the transport carries each layer\'s kind and size)', async () => {
    const { model } = setup(8);
    const random = new SeededRandom(3);
    const stream = Int32Array.from({ length: 1601 }, (_, t) => (random.next() < 0.7 ? (t * 3) % VOCAB : random.integer(VOCAB)));
    const run = {
      train: { inputs: stream.subarray(0, 1600), targets: stream.subarray(1, 1601), inputWidth: 1, targetWidth: 1 },
      validation: null,
      batchSize: 8,
      window: 10,
      epochs: 2,
      learningRate: 0.01,
      dropout: 0.2,
    };
    const one = await train(model, run);
    const two = await train(model, { ...run, workers: 2 });
    one.history.forEach((r, i) => expect(Math.abs(two.history[i].trainLoss - r.trainLoss)).toBeLessThan(1e-5));
    expect(two.model.architecture).toEqual(model.architecture);
  }, 120_000);
});
