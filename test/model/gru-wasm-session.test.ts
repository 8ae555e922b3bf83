import { afterEach, describe, expect, it } from 'vitest';
import { createRandomModel, decodeModel, encodeModel, setKernelBackend, setQ8KernelMode, type Architecture, type Model, type Session } from '../../src/index.ts';
import { GruLayerKernel } from '../../src/math/wasm/gru-layer-kernel.ts';
import { stepKernelsFor } from '../../src/model/step-kernels.ts';
import { maxAbsDiff } from '../helpers/fixtures.ts';

// The GRU's WebAssembly SIMD kernel (kernels.wat gru_step, gru-layer-kernel.ts)
// against the TypeScript GruCell: the same answers within 1e-6 for f32
// weights, and for int8 weights in 'float' mode; 'integer' mode adds the
// activation quantization's error (as for the LSTM, test/model/wasm-session.test.ts).
afterEach(() => {
  setKernelBackend('auto');
  setQ8KernelMode('integer');
});

function sessionWith(backend: 'wasm' | 'typescript', model: Model): Session {
  expect(setKernelBackend(backend)).toBe(backend);
  return model.session();
}

/** Largest difference of the step outputs and of h over `steps` tokens, TypeScript against WebAssembly. */
function compare(model: Model, steps: number): { logits: number; state: number } {
  const fallback = sessionWith('typescript', model);
  const fast = sessionWith('wasm', model);
  const V = model.architecture.vocabSize;
  let logits = 0;
  let state = 0;
  for (let t = 0; t < steps; t++) {
    const token = (t * 37 + 11) % V;
    logits = Math.max(logits, maxAbsDiff(fallback.step(token), fast.step(token)));
    state = Math.max(state, maxAbsDiff(fallback.h, fast.h));
  }
  return { logits, state };
}

describe('GRU sessions on the WebAssembly and TypeScript kernels', () => {
  it.each([
    ['gru', 1, 64, 24],
    ['gru', 2, 37, 19],
    ['gru', 3, 5, 3],
    ['gru-reset-before', 1, 64, 24],
    ['gru-reset-before', 2, 37, 19],
    ['gru-reset-before', 3, 13, 1],
  ] as const)('a %s language model (%i layers, H = %i, I = %i): the same logits and state within 1e-6 over 300 steps', (cell, numLayers, H, I) => {
    const architecture: Architecture = { cell, input: 'embedding', vocabSize: 300, inputSize: I, hiddenSize: H, numLayers, head: 'softmax', outputSize: 300 };
    const model = createRandomModel(architecture, { seed: H });
    expect(stepKernelsFor(model).layers.every((kernel) => kernel instanceof GruLayerKernel)).toBe(true);
    const worst = compare(model, 300);
    console.log(`${cell}, ${numLayers} layers, H ${H}, I ${I}: max |WebAssembly − TypeScript| logits ${worst.logits.toExponential(2)}, h ${worst.state.toExponential(2)}`);
    expect(worst.logits).toBeLessThan(1e-6);
    expect(worst.state).toBeLessThan(1e-6);
  });

  it.each([
    ['gru', 'float', undefined, 1e-6],
    ['gru-reset-before', 'float', undefined, 1e-6],
    ['gru', 'integer', undefined, 1e-3],
    ['gru-reset-before', 'integer', undefined, 1e-3],
    ['gru', 'float', 32, 1e-6],
    ['gru-reset-before', 'integer', 32, 1e-3],
  ] as const)('a %s int8 model in %s mode (block %s) runs in WebAssembly and follows the TypeScript q8 kernels', (cell, mode, blockSize, tolerance) => {
    // I = 32 so blocks of 32 start the hidden columns, as the int8 kernel needs.
    const architecture: Architecture = { cell, input: 'embedding', vocabSize: 200, inputSize: 32, hiddenSize: 45, numLayers: 2, head: 'softmax', outputSize: 200 };
    const model = decodeModel(encodeModel(createRandomModel(architecture, { seed: 21 }), { dtype: 'q8', blockSize }));
    setQ8KernelMode(mode);
    expect(stepKernelsFor(model).layers[0]).toBeInstanceOf(GruLayerKernel);
    const worst = compare(model, 120);
    console.log(`${cell} q8 ${mode} block ${blockSize ?? 'row'}: max |WebAssembly − TypeScript| logits ${worst.logits.toExponential(2)}, h ${worst.state.toExponential(2)}`);
    expect(Math.max(worst.logits, worst.state)).toBeLessThan(tolerance);
  });

  it('an int8 GRU whose scale blocks straddle the input/hidden split steps in TypeScript, with the same answers', () => {
    const architecture: Architecture = { cell: 'gru', input: 'embedding', vocabSize: 50, inputSize: 20, hiddenSize: 24, numLayers: 1, head: 'softmax', outputSize: 50 };
    const model = decodeModel(encodeModel(createRandomModel(architecture, { seed: 2 }), { dtype: 'q8', blockSize: 16 }));
    expect(stepKernelsFor(model).layers[0]).toBeNull();
    expect(compare(model, 40).logits).toBe(0);
  });

  it('sessions of one GRU model share its kernels without disturbing each other; fork, snapshot and restore carry h', () => {
    const model = createRandomModel({ cell: 'gru-reset-before', input: 'embedding', vocabSize: 50, inputSize: 8, hiddenSize: 11, numLayers: 2, head: 'softmax', outputSize: 50 }, { seed: 9 });
    const a = model.session();
    const b = model.session();
    const alone = model.session();
    expect(a.c).toBeNull();
    expect(a.stateSize).toBe(22);
    const tokens = [3, 14, 15, 9, 26, 5];
    for (const token of tokens) {
      a.step(token);
      b.step(49 - token);
    }
    for (const token of tokens) alone.step(token);
    expect(Array.from(a.h)).toEqual(Array.from(alone.h));
    const saved = a.snapshot();
    const branch = a.fork();
    const next = Array.from(a.step(7));
    expect(Array.from(branch.step(7))).toEqual(next);
    a.restore(saved);
    expect(Array.from(a.step(7))).toEqual(next);
    // A write into session.h is what the next step reads, on both kernels.
    const edited = sessionWith('wasm', model);
    edited.h.fill(0.25);
    const reference = sessionWith('typescript', model);
    reference.h.fill(0.25);
    expect(maxAbsDiff(edited.step(7), reference.step(7))).toBeLessThan(1e-6);
    expect(maxAbsDiff(edited.h, reference.h)).toBeLessThan(1e-6);
  });
});
