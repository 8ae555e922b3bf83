import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConvert } from '../../src/cli/commands/convert.ts';
import { ErrorCode } from '../../src/errors.ts';
import { loadModel } from '../../src/format/load-model.ts';
import { createRandomModel, encodeModel, type Model } from '../../src/index.ts';
import { InteropError } from '../../src/interop/errors.ts';
import { importSafetensors } from '../../src/interop/safetensors/import-safetensors.ts';
import { readSafetensors } from '../../src/interop/safetensors/read-safetensors.ts';
import { encodeSafetensors, exportSafetensors } from '../../src/interop/safetensors/write-safetensors.ts';
import { seededUniform } from '../helpers/onnx-builders.ts';

// Issue 16, item 2: safetensors in and out with nn.GRU's names
// (weight_ih_l{k} [3H × I], weight_hh_l{k} [3H × H], bias_ih_l{k},
// bias_hh_l{k} [3H], gate order r, z, n). The state dicts here are written
// by hand in PyTorch's layout, under the names a PyTorch program gives them
// (`encoder`, `gru`, `decoder`, a DataParallel `module.` prefix), and the
// reference is nn.GRU's equations computed here in f64, apart from the library.
const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-safetensors-gru-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

interface TorchGruLm {
  readonly vocabSize: number;
  readonly embeddingSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly tensors: Record<string, { shape: number[]; data: Float32Array }>;
}

/** An nn.Embedding → nn.GRU → nn.Linear state dict with seeded weights, named as `prefix` + PyTorch's module names. */
function torchGruLm(vocabSize: number, embeddingSize: number, hiddenSize: number, numLayers: number, seed: number, prefix = ''): TorchGruLm {
  const H = hiddenSize;
  const tensors: TorchGruLm['tensors'] = {};
  let s = seed;
  const put = (name: string, shape: number[], scale: number): void => {
    tensors[`${prefix}${name}`] = { shape, data: seededUniform(s++, shape.reduce((a, b) => a * b, 1), scale) };
  };
  put('encoder.weight', [vocabSize, embeddingSize], 1);
  for (let l = 0; l < numLayers; l++) {
    put(`gru.weight_ih_l${l}`, [3 * H, l === 0 ? embeddingSize : H], 0.6);
    put(`gru.weight_hh_l${l}`, [3 * H, H], 0.6);
    put(`gru.bias_ih_l${l}`, [3 * H], 0.4);
    put(`gru.bias_hh_l${l}`, [3 * H], 0.4);
  }
  put('decoder.weight', [vocabSize, H], 0.5);
  put('decoder.bias', [vocabSize], 0.2);
  return { vocabSize, embeddingSize, hiddenSize, numLayers, tensors };
}

/**
 * nn.GRU's step in f64, PyTorch's documented equations with gate order r, z, n:
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
 * resetBefore: n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn) (Keras reset_after=False).
 */
function referenceLogits(lm: TorchGruLm, tokens: number[], prefix = '', resetBefore = false): number[][] {
  const t = (name: string): Float32Array => lm.tensors[`${prefix}${name}`].data;
  const H = lm.hiddenSize;
  const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
  const h = Array.from({ length: lm.numLayers }, () => new Float64Array(H));
  const rows = (W: Float32Array, width: number, row: number, x: ArrayLike<number>): number => {
    let sum = 0;
    for (let k = 0; k < width; k++) sum += W[row * width + k] * x[k];
    return sum;
  };
  return tokens.map((token) => {
    let x: ArrayLike<number> = t('encoder.weight').subarray(token * lm.embeddingSize, (token + 1) * lm.embeddingSize);
    for (let l = 0; l < lm.numLayers; l++) {
      const I = l === 0 ? lm.embeddingSize : H;
      const [Wi, Wh, bi, bh] = [t(`gru.weight_ih_l${l}`), t(`gru.weight_hh_l${l}`), t(`gru.bias_ih_l${l}`), t(`gru.bias_hh_l${l}`)];
      const previous = h[l];
      const r = Array.from({ length: H }, (_, u) => sigmoid(rows(Wi, I, u, x) + bi[u] + rows(Wh, H, u, previous) + bh[u]));
      const z = Array.from({ length: H }, (_, u) => sigmoid(rows(Wi, I, H + u, x) + bi[H + u] + rows(Wh, H, H + u, previous) + bh[H + u]));
      const resetH = previous.map((v, u) => r[u] * v);
      const n = Array.from({ length: H }, (_, u) =>
        Math.tanh(rows(Wi, I, 2 * H + u, x) + bi[2 * H + u] + (resetBefore ? rows(Wh, H, 2 * H + u, resetH) + bh[2 * H + u] : r[u] * (rows(Wh, H, 2 * H + u, previous) + bh[2 * H + u]))),
      );
      h[l] = Float64Array.from({ length: H }, (_, u) => (1 - z[u]) * n[u] + z[u] * previous[u]);
      x = h[l];
    }
    return Array.from({ length: lm.vocabSize }, (_, v) => rows(t('decoder.weight'), H, v, x) + t('decoder.bias')[v]);
  });
}

function logitsOf(model: Model, tokens: number[]): number[][] {
  const session = model.session();
  return tokens.map((token) => Array.from(session.step(token)));
}

function worst(a: number[][], b: number[][]): number {
  let max = 0;
  a.forEach((row, t) => row.forEach((v, i) => (max = Math.max(max, Math.abs(v - b[t][i])))));
  return max;
}

const TOKENS = Array.from({ length: 200 }, (_, t) => (t * 7 + (t >> 3)) % 19);

describe('nn.GRU state dicts as safetensors → ours', () => {
  it("a PyTorch word_language_model-style GRU (encoder, gru, decoder; odd sizes, 3 layers) loads without options and matches nn.GRU's equations over 200 steps", () => {
    const lm = torchGruLm(19, 7, 11, 3, 40);
    const model = importSafetensors(encodeSafetensors(lm.tensors));
    expect(model.architecture).toEqual({ cell: 'gru', input: 'embedding', vocabSize: 19, inputSize: 7, hiddenSize: 11, numLayers: 3, head: 'softmax', outputSize: 19 });
    const error = worst(logitsOf(model, TOKENS), referenceLogits(lm, TOKENS));
    console.log(`nn.GRU safetensors (f32) vs nn.GRU equations in f64, 200 steps: max |Δ| ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-5);
    // The state moves: the reference's logits differ from step to step far beyond the tolerance.
    expect(worst([referenceLogits(lm, TOKENS)[0]], [referenceLogits(lm, TOKENS)[100]])).toBeGreaterThan(0.1);
  });

  it('DataParallel names (module.) and F16 / BF16 storage', () => {
    const lm = torchGruLm(19, 6, 9, 2, 50, 'module.');
    const reference = referenceLogits(lm, TOKENS, 'module.');
    for (const [dtype, tolerance] of [['F16', 2e-3], ['BF16', 2e-2]] as const) {
      const model = importSafetensors(encodeSafetensors(lm.tensors, { dtype }));
      expect(model.architecture.cell).toBe('gru');
      const error = worst(logitsOf(model, TOKENS), reference);
      console.log(`nn.GRU safetensors (${dtype}) vs f64 equations on the f32 weights: max |Δ| ${error.toExponential(2)}`);
      expect(error).toBeLessThan(tolerance);
    }
  });

  it('--cell gru-reset-before reads the same names as a GRU that resets h before the hidden product', async () => {
    const lm = torchGruLm(19, 5, 8, 2, 60);
    const file = join(directory, 'reset-before.safetensors');
    writeFileSync(file, encodeSafetensors(lm.tensors));
    await runConvert([file, join(directory, 'reset-before.msgpack'), '--cell', 'gru-reset-before'], () => {});
    const model = await loadModel(join(directory, 'reset-before.msgpack'));
    expect(model.architecture.cell).toBe('gru-reset-before');
    expect(worst(logitsOf(model, TOKENS), referenceLogits(lm, TOKENS, '', true))).toBeLessThan(1e-5);
    // The variants differ: read as PyTorch's GRU, the same weights give other numbers.
    expect(worst(logitsOf(model, TOKENS), referenceLogits(lm, TOKENS))).toBeGreaterThan(1e-2);
  });

  it('wrong GRU tensors are refused naming the tensor', () => {
    const lm = torchGruLm(19, 5, 8, 2, 70);
    const errorOf = (tensors: TorchGruLm['tensors'], options = {}): InteropError => {
      try {
        importSafetensors(encodeSafetensors(tensors), options);
      } catch (error) {
        expect(error).toBeInstanceOf(InteropError);
        return error as InteropError;
      }
      throw new Error('expected the import to fail');
    };
    const shortBias = errorOf({ ...lm.tensors, 'gru.bias_hh_l1': { shape: [16], data: new Float32Array(16) } });
    expect(shortBias.code).toBe(ErrorCode.TENSOR_SHAPE_MISMATCH);
    expect(shortBias.message).toMatch(/rnn\.bias_hh_l1 has shape \[16\], expected \[24\].*gru\.bias_hh_l1 → rnn\.bias_hh_l1/);
    const asLstm = errorOf(lm.tensors, { cell: 'lstm' });
    expect(asLstm.code).toBe(ErrorCode.TENSOR_SHAPE_MISMATCH);
    expect(asLstm.message).toMatch(/rnn\.weight_hh_l0 has shape \[24,8\], expected \[32, 8\] for lstm/);
    const { 'gru.weight_hh_l1': _dropped, ...missing } = lm.tensors;
    expect(errorOf(missing).code).toBe(ErrorCode.MISSING_TENSOR);
    const nan = { ...lm.tensors, 'gru.bias_ih_l0': { shape: [24], data: new Float32Array(24).fill(NaN) } };
    expect(errorOf(nan).code).toBe(ErrorCode.WEIGHT_NOT_FINITE);
  });
});

describe('ours → safetensors with nn.GRU names', () => {
  it("writes emb/rnn/out names with nn.GRU's shapes, both biases as they are, and reads back bit for bit", () => {
    const model = createRandomModel({ cell: 'gru', input: 'embedding', vocabSize: 19, inputSize: 7, hiddenSize: 11, numLayers: 3, head: 'softmax', outputSize: 19 }, { seed: 3 });
    const { tensors } = readSafetensors(exportSafetensors(model));
    const shapes = Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, t.shape]));
    expect(shapes).toMatchObject({ 'rnn.weight_ih_l0': [33, 7], 'rnn.weight_hh_l0': [33, 11], 'rnn.bias_ih_l0': [33], 'rnn.bias_hh_l0': [33], 'rnn.weight_ih_l2': [33, 11] });
    expect(Array.from(tensors['rnn.bias_hh_l2'].data)).toEqual(Array.from(model.layers[2].bias.subarray(33)));
    // The file's numbers under nn.GRU's equations are what our model computes.
    const lm: TorchGruLm = {
      vocabSize: 19,
      embeddingSize: 7,
      hiddenSize: 11,
      numLayers: 3,
      tensors: Object.fromEntries(
        Object.entries(tensors).map(([name, t]) => [name.replace(/^emb\./, 'encoder.').replace(/^rnn\./, 'gru.').replace(/^out\./, 'decoder.'), { shape: t.shape, data: t.data }]),
      ),
    };
    expect(worst(logitsOf(model, TOKENS), referenceLogits(lm, TOKENS))).toBeLessThan(1e-5);
    expect(worst(logitsOf(importSafetensors(exportSafetensors(model)), TOKENS), logitsOf(model, TOKENS))).toBe(0);
  });

  it('refuses a gru-reset-before model, which nn.GRU cannot compute, pointing to ONNX', () => {
    const model = createRandomModel({ cell: 'gru-reset-before', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'none', outputSize: 0 }, { seed: 1 });
    expect(() => exportSafetensors(model)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_CONFIG, message: expect.stringMatching(/no nn\.GRU equivalent.*ONNX's GRU operator carries it/) }));
  });

  it('lstm-stream convert msgpack → safetensors → msgpack keeps a GRU model', async () => {
    const model = createRandomModel({ cell: 'gru', input: 'dense', vocabSize: 0, inputSize: 5, hiddenSize: 9, numLayers: 2, head: 'linear', outputSize: 3 }, { seed: 5 });
    writeFileSync(join(directory, 'dense.msgpack'), encodeModel(model, { dtype: 'f32' }));
    let report = '';
    await runConvert([join(directory, 'dense.msgpack'), join(directory, 'dense.safetensors'), '--dtype', 'f16'], (t) => (report += t));
    expect(report).toMatch(/2-layer gru, dense input 5, hidden 9, linear head 3/);
    await runConvert([join(directory, 'dense.safetensors'), join(directory, 'dense.back.msgpack')], () => {});
    const back = await loadModel(join(directory, 'dense.back.msgpack'));
    expect(back.architecture).toEqual(model.architecture);
    expect(readSafetensors(new Uint8Array(readFileSync(join(directory, 'dense.safetensors')))).tensors['weight_hh_l1'].dtype).toBe('F16');
    const x = Float32Array.from([0.4, -0.9, 0.1, 0.7, -0.3]);
    const [a, b] = [model.session(), back.session()];
    for (let t = 0; t < 20; t++) {
      const expected = Array.from(a.step(x));
      Array.from(b.step(x)).forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(5e-3)); // F16 weights
    }
  });
});
