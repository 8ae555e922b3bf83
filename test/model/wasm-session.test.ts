import { afterEach, describe, expect, it } from 'vitest';
import { createCell, createRandomModel, F32Matrix, fromTorchStateDict, kernelBackend, Model, Q8Matrix, setKernelBackend, setQ8KernelMode, type Architecture, type Session } from '../../src/index.ts';
import { loadTorchFixture, maxAbsDiff, rowOf, type FixtureTensor } from '../helpers/fixtures.ts';

interface StackFixture {
  kind: 'lstm' | 'rnn';
  nonlinearity: 'tanh' | 'relu' | null;
  seq_len: number;
  params: Record<string, FixtureTensor>;
  x: FixtureTensor;
  h0: FixtureTensor;
  c0?: FixtureTensor;
  y: FixtureTensor;
  h_n: FixtureTensor;
  c_n?: FixtureTensor;
}

afterEach(() => {
  setKernelBackend('auto');
  setQ8KernelMode('integer');
});

/** The same model with its layers and head quantized to int8 (per-row scales, or blocks of 32). */
function quantized(model: Model, blockSize?: number): Model {
  const q8 = (rows: number, cols: number, values: Float32Array) => Q8Matrix.fromFloat32(rows, cols, values, blockSize ?? cols);
  const layers = model.layers.map((layer) => createCell(layer.kind, layer.inputSize, layer.hiddenSize, q8(layer.weight.rows, layer.weight.cols, layer.weight.toFloat32()), layer.bias));
  const head = model.head === null ? null : { kind: model.head.kind, weight: q8(model.head.weight.rows, model.head.weight.cols, model.head.weight.toFloat32()), bias: model.head.bias };
  return new Model({ embedding: model.embedding, layers, head });
}

function sessionWith(backend: 'wasm' | 'typescript', make: () => Session): Session {
  expect(setKernelBackend(backend)).toBe(backend);
  return make();
}

describe('Session on the WebAssembly and TypeScript kernels', () => {
  it("uses WebAssembly by default where SIMD exists, and 'typescript' switches new sessions to the fallback", () => {
    expect(kernelBackend()).toBe('wasm');
    expect(setKernelBackend('typescript')).toBe('typescript');
    expect(kernelBackend()).toBe('typescript');
  });

  describe.each(['lstm_1layer', 'lstm_2layer', 'rnn_tanh', 'rnn_relu_2layer'])('PyTorch fixture %s', (name) => {
    const fixture = loadTorchFixture<StackFixture>(name);
    it.each(['wasm', 'typescript'] as const)('the %s kernels reproduce y and the final state within 2e-5', (backend) => {
      const cell = fixture.kind === 'lstm' ? 'lstm' : fixture.nonlinearity === 'relu' ? 'rnn-relu' : 'rnn-tanh';
      const model = fromTorchStateDict(fixture.params, { cell });
      const session = sessionWith(backend, () => model.session());
      session.h.set(fixture.h0.data);
      if (fixture.c0) session.c!.set(fixture.c0.data);
      let worst = 0;
      for (let t = 0; t < fixture.seq_len; t++) worst = Math.max(worst, maxAbsDiff(session.step(rowOf(fixture.x, t)), rowOf(fixture.y, t)));
      expect(worst).toBeLessThan(2e-5);
      expect(maxAbsDiff(session.h, fixture.h_n.data)).toBeLessThan(2e-5);
      if (fixture.c_n) expect(maxAbsDiff(session.c!, fixture.c_n.data)).toBeLessThan(2e-5);
    });
  });

  it.each([
    ['lstm', 1, 64],
    ['lstm', 2, 37],
    ['rnn-tanh', 2, 50],
    ['rnn-relu', 1, 19],
  ] as const)('a %s language model (%i layers, H = %i) gives the same logits and state on both within 1e-6', (cell, numLayers, H) => {
    const architecture: Architecture = { cell, input: 'embedding', vocabSize: 300, inputSize: 24, hiddenSize: H, numLayers, head: 'softmax', outputSize: 300 };
    const model = createRandomModel(architecture, { seed: H });
    const fallback = sessionWith('typescript', () => model.session());
    const fast = sessionWith('wasm', () => model.session());
    let worstLogits = 0;
    let worstState = 0;
    for (let t = 0; t < 100; t++) {
      const token = (t * 37 + 11) % 300;
      worstLogits = Math.max(worstLogits, maxAbsDiff(fallback.step(token), fast.step(token)));
      worstState = Math.max(worstState, maxAbsDiff(fallback.h, fast.h));
      if (cell === 'lstm') worstState = Math.max(worstState, maxAbsDiff(fallback.c!, fast.c!));
    }
    expect(worstLogits).toBeLessThan(1e-6);
    expect(worstState).toBeLessThan(1e-6);
  });

  it.each([
    ['float', undefined, 1e-5],
    ['integer', undefined, 1e-3],
    ['float', 32, 1e-5],
    ['integer', 32, 1e-3],
  ] as const)('an int8 language model in %s mode (block %s) follows the TypeScript q8 kernels', (mode, blockSize, tolerance) => {
    const architecture: Architecture = { cell: 'lstm', input: 'embedding', vocabSize: 200, inputSize: 32, hiddenSize: 48, numLayers: 2, head: 'softmax', outputSize: 200 };
    const model = quantized(createRandomModel(architecture, { seed: 21 }), blockSize);
    const fallback = sessionWith('typescript', () => model.session());
    setQ8KernelMode(mode);
    const fast = sessionWith('wasm', () => model.session());
    let worst = 0;
    for (let t = 0; t < 60; t++) {
      const token = (t * 53 + 7) % 200;
      worst = Math.max(worst, maxAbsDiff(fallback.step(token), fast.step(token)), maxAbsDiff(fallback.h, fast.h));
    }
    expect(worst).toBeLessThan(tolerance);
  });

  it('sessions of one model share its kernels without disturbing each other, and h and c stay live views', () => {
    const architecture: Architecture = { cell: 'lstm', input: 'embedding', vocabSize: 50, inputSize: 8, hiddenSize: 16, numLayers: 2, head: 'softmax', outputSize: 50 };
    const model = createRandomModel(architecture, { seed: 9 });
    const a = model.session();
    const b = model.session();
    const alone = model.session();
    const tokens = [3, 14, 15, 9, 26, 5];
    for (const token of tokens) {
      a.step(token);
      b.step(49 - token); // interleaved with a different stream
    }
    for (const token of tokens) alone.step(token);
    expect(Array.from(a.h)).toEqual(Array.from(alone.h));
    expect(Array.from(a.c!)).toEqual(Array.from(alone.c!));
    // A write into session.h is what the next step reads.
    const edited = a.fork();
    edited.h.fill(0.25);
    edited.c!.fill(-0.5);
    const reference = sessionWith('typescript', () => model.session());
    reference.h.fill(0.25);
    reference.c!.fill(-0.5);
    expect(maxAbsDiff(edited.step(7), reference.step(7))).toBeLessThan(1e-6);
    expect(maxAbsDiff(edited.h, reference.h)).toBeLessThan(1e-6);
  });

  it("keeps the head's f32 weights resident once: the matrix then reads the copy in WebAssembly memory", () => {
    const architecture: Architecture = { cell: 'lstm', input: 'embedding', vocabSize: 40, inputSize: 8, hiddenSize: 12, numLayers: 1, head: 'softmax', outputSize: 40 };
    const model = createRandomModel(architecture, { seed: 4 });
    const headWeight = model.head!.weight as F32Matrix;
    const original = headWeight.data;
    const values = Array.from(original);
    const logits = Array.from(sessionWith('typescript', () => model.session()).step(5));
    const session = sessionWith('wasm', () => model.session());
    expect(headWeight.data).not.toBe(original);
    expect(headWeight.data.buffer).not.toBe(original.buffer);
    expect(Array.from(headWeight.data)).toEqual(values);
    expect(headWeight.data.byteOffset % 16).toBe(0);
    expect(maxAbsDiff(session.step(5), logits)).toBeLessThan(1e-6);
    // multiplyInto outside a session (next-token prediction) runs in the kernel and agrees too.
    const out = new Float32Array(40);
    headWeight.multiplyInto(out, session.h, 0, model.head!.bias);
    expect(maxAbsDiff(out, logits)).toBeLessThan(1e-6);
  });
});
