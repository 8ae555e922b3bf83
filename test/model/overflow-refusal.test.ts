// Weights that are all finite but large enough that a step would overflow
// float32 are refused when the model is made (ConfigError WEIGHT_OVERFLOW)
// and when its file is decoded (FormatError WEIGHT_OVERFLOW); a model just
// under the bound loads and steps finite values on both kernel backends.
// ReLU layers are capped at RELU_CEILING instead (their h has no bound of
// its own), and dense input gets Model.inputLimit.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  createCell,
  createRandomModel,
  decodeModel,
  encodeModel,
  ErrorCode,
  F32Matrix,
  FormatError,
  fromTorchStateDict,
  Model,
  Q8Matrix,
  setKernelBackend,
  setQ8KernelMode,
  softmaxInto,
  type Architecture,
  type TorchTensor,
} from '../../src/index.ts';
import { RELU_CEILING } from '../../src/math/activations.ts';
import { PRE_ACTIVATION_LIMIT } from '../../src/model/weight-bounds.ts';

afterEach(() => {
  setKernelBackend('auto');
  setQ8KernelMode('integer');
});

const WORD_LSTM: Architecture = { cell: 'lstm', input: 'embedding', vocabSize: 12, inputSize: 6, hiddenSize: 5, numLayers: 2, head: 'softmax', outputSize: 12 };

/** A copy of a model's parts with f32 tensors copied, so a test can change one value and build again. */
function partsOf(model: Model) {
  const f32 = (m: { rows: number; cols: number; toFloat32(): Float32Array }) => new F32Matrix(m.rows, m.cols, m.toFloat32());
  return {
    embedding: model.embedding === null ? null : f32(model.embedding),
    layers: model.layers.map((layer) => ({ kind: layer.kind, inputSize: layer.inputSize, weight: f32(layer.weight), bias: layer.bias.slice() })),
    head: model.head === null ? null : { kind: model.head.kind, weight: f32(model.head.weight), bias: model.head.bias.slice() },
  };
}

function build(parts: ReturnType<typeof partsOf>, metadata?: Record<string, unknown>): Model {
  return new Model({
    embedding: parts.embedding,
    layers: parts.layers.map((l) => createCell(l.kind, l.inputSize, l.weight.cols - l.inputSize, l.weight, l.bias)),
    head: parts.head,
    metadata,
  });
}

function catchError(run: () => unknown): Error & { code?: string } {
  try {
    run();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected an error');
}

/** The bytes of a model whose f32 weights are changed after it was made (the encoder writes what it holds). */
function bytesWithChange(model: Model, change: (m: Model) => void): Uint8Array {
  change(model);
  return encodeModel(model, { dtype: 'f32' });
}

function expectAllFinite(values: Float32Array, where: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${where}: element ${i} is ${values[i]}`);
  }
}

describe('load-time refusal of weights that would overflow float32', () => {
  it('a huge finite weight in one row of a layer: ConfigError WEIGHT_OVERFLOW naming the layer, row and gate', () => {
    const parts = partsOf(createRandomModel(WORD_LSTM, { seed: 3 }));
    // Layer 1, row 7 = gate f (rows H … 2H), unit 2; column 6 reads h of layer 0, bounded by 1.
    parts.layers[1].weight.data[7 * parts.layers[1].weight.cols + 6] = 3e38;
    const error = catchError(() => build(parts));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe(ErrorCode.WEIGHT_OVERFLOW);
    expect(error.message).toMatch(/^layer 1 weight and bias, row 7 \(gate f, unit 2\): .*3\.00e\+38/);
  });

  it('the same in a file: decodeModel refuses it with FormatError WEIGHT_OVERFLOW', () => {
    const bytes = bytesWithChange(createRandomModel(WORD_LSTM, { seed: 3 }), (m) => {
      (m.layers[0].weight as F32Matrix).data[2 * m.layers[0].weight.cols] = 3e38;
    });
    const error = catchError(() => decodeModel(bytes));
    expect(error).toBeInstanceOf(FormatError);
    expect(error.code).toBe(ErrorCode.WEIGHT_OVERFLOW);
    expect(error.message).toContain('layer 0 weight and bias, row 2');
  });

  it('many moderate weights whose sum overflows, a huge bias, a huge embedding value, a huge head row: each refused', () => {
    const summed = partsOf(createRandomModel(WORD_LSTM, { seed: 4 }));
    // 10 columns of 1e37 against inputs bounded by 1 (the h of both layers): each finite, the sum 1e38 past 2^120.
    summed.layers[1].weight.data.fill(1e37, 0, summed.layers[1].weight.cols);
    expect(catchError(() => build(summed)).message).toContain('layer 1 weight and bias, row 0 (gate i, unit 0)');

    const bias = partsOf(createRandomModel(WORD_LSTM, { seed: 4 }));
    bias.layers[0].bias[19] = -2e36;
    expect(catchError(() => build(bias)).message).toContain('layer 0 weight and bias, row 19 (gate o, unit 4)');

    const embedding = partsOf(createRandomModel(WORD_LSTM, { seed: 4 }));
    embedding.embedding!.data[5 * 6 + 1] = 3e38;
    const embeddingError = catchError(() => build(embedding));
    expect(embeddingError.code).toBe(ErrorCode.WEIGHT_OVERFLOW);
    expect(embeddingError.message).toMatch(/^embedding, row 5: an element can reach 3\.00e\+38/);

    const head = partsOf(createRandomModel(WORD_LSTM, { seed: 4 }));
    head.head!.weight.data[3 * 5 + 4] = 3e38;
    expect(catchError(() => build(head)).message).toMatch(/^head weight and bias, row 3: the output can reach/);
  });

  it('fromTorchStateDict with 3e38 in one row of weight_hh: refused', () => {
    const H = 3;
    const tensor = (shape: number[], fill: (i: number) => number): TorchTensor => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, (_, i) => fill(i)) });
    const dict = {
      weight_ih_l0: tensor([4 * H, 2], (i) => ((i % 7) - 3) / 10),
      weight_hh_l0: tensor([4 * H, H], (i) => (i === 5 * H + 1 ? 3e38 : ((i % 5) - 2) / 10)),
      bias_ih_l0: tensor([4 * H], () => 0.1),
      bias_hh_l0: tensor([4 * H], () => -0.1),
    };
    const error = catchError(() => fromTorchStateDict(dict));
    expect(error.code).toBe(ErrorCode.WEIGHT_OVERFLOW);
    expect(error.message).toContain('layer 0 weight and bias, row 5 (gate f, unit 2)');
  });

  it('int8 weights: a scale so large that the dequantized row overflows is refused', () => {
    const model = createRandomModel(WORD_LSTM, { seed: 5 });
    const layer = model.layers[1];
    const values = layer.weight.toFloat32();
    for (let c = 0; c < layer.weight.cols; c++) values[c] *= 1e37; // row 0 only
    const q8 = Q8Matrix.fromFloat32(layer.weight.rows, layer.weight.cols, values);
    const error = catchError(
      () => new Model({ embedding: model.embedding, layers: [model.layers[0], createCell('lstm', 5, 5, q8, layer.bias)], head: model.head }),
    );
    expect(error.code).toBe(ErrorCode.WEIGHT_OVERFLOW);
    expect(error.message).toContain('layer 1 weight and bias, row 0');
  });

  it('a class-factorized output whose class weight is finite in the metadata but past float32: refused', () => {
    const model = createRandomModel(WORD_LSTM, { seed: 6 });
    const outputClasses = (big: number) => ({
      classCount: 2,
      classOf: Array.from({ length: 12 }, (_, w) => (w < 6 ? 0 : 1)),
      weight: [
        [0.1, 0.2, 0.3, 0.4, 0.5],
        [0.1, big, 0.3, 0.4, 0.5],
      ],
      bias: [0, 0],
    });
    expect(build(partsOf(model), { outputClasses: outputClasses(0.2) }).outputClasses).not.toBeNull();
    const error = catchError(() => build(partsOf(model), { outputClasses: outputClasses(1e39) }));
    expect(error.code).toBe(ErrorCode.WEIGHT_OVERFLOW);
    expect(error.message).toContain('metadata.outputClasses weight and bias, row 1');
  });

  it('non-finite weights keep their own code and message (WEIGHT_NOT_FINITE), found by the same pass', () => {
    const parts = partsOf(createRandomModel(WORD_LSTM, { seed: 7 }));
    parts.layers[1].weight.data[1 * parts.layers[1].weight.cols + 1] = NaN;
    const error = catchError(() => build(parts));
    expect(error.code).toBe(ErrorCode.WEIGHT_NOT_FINITE);
    expect(error.message).toBe('layer 1 weight has a non-finite value at row 1, column 1');
    const bias = partsOf(createRandomModel(WORD_LSTM, { seed: 7 }));
    bias.head!.bias[2] = -Infinity;
    expect(catchError(() => build(bias)).message).toBe('head bias has -Infinity at element 2');
  });
});

describe('a model just under the bound loads, and its steps stay finite', () => {
  /** Logits and layer biases near the limit: 1e36 against 2^120 ≈ 1.33e36. */
  function nearLimit(): Model {
    const parts = partsOf(createRandomModel(WORD_LSTM, { seed: 8 }));
    for (const layer of parts.layers) layer.bias.fill(1e36, 0, 5); // gate i of every unit: saturates, stays finite
    parts.layers[0].bias[10] = -1e36; // a candidate g at −1
    parts.head!.bias[4] = 1e36;
    parts.head!.bias[9] = -1e36;
    return build(parts);
  }

  for (const backend of ['wasm', 'typescript'] as const) {
    it(`${backend}: logits, state and softmax finite for 50 steps (f32 and q8)`, () => {
      const f32 = nearLimit();
      const q8 = decodeModel(encodeModel(f32, { dtype: 'q8' }));
      for (const [name, model] of [['f32', f32], ['q8', q8]] as const) {
        for (const mode of ['integer', 'float'] as const) {
          setQ8KernelMode(mode);
          setKernelBackend(backend);
          const session = model.session();
          const probabilities = new Float32Array(12);
          for (let t = 0; t < 50; t++) {
            const logits = session.step(t % 12);
            expectAllFinite(logits, `${name} ${mode} step ${t} logits`);
            expectAllFinite(session.h, `${name} ${mode} step ${t} h`);
            expectAllFinite(session.c!, `${name} ${mode} step ${t} c`);
            expectAllFinite(softmaxInto(probabilities, logits), `${name} ${mode} step ${t} softmax`);
          }
          expect(Math.abs(session.step(0)[4])).toBeGreaterThan(1e35);
        }
      }
    });
  }

  it('the bound itself: a bias just under PRE_ACTIVATION_LIMIT loads, one float32 step above it does not', () => {
    const under = partsOf(createRandomModel({ ...WORD_LSTM, numLayers: 1 }, { seed: 9 }));
    under.head!.weight.data.fill(0);
    under.head!.bias[0] = Math.fround(PRE_ACTIVATION_LIMIT * (1 - 2 ** -23));
    expect(() => build(under)).not.toThrow();
    under.head!.bias[0] = Math.fround(PRE_ACTIVATION_LIMIT * (1 + 2 ** -23));
    expect(catchError(() => build(under)).code).toBe(ErrorCode.WEIGHT_OVERFLOW);
  });
});

describe('ReLU layers and dense input: the bounds a loaded model cannot promise by itself', () => {
  /** h_t = min(relu(2·h_{t−1} + x), 2^64): doubles every step, so without the ceiling it reaches Infinity by step 128. */
  function doubling(): Model {
    const H = 4;
    const weight = new Float32Array(H * (1 + H));
    for (let j = 0; j < H; j++) {
      weight[j * (1 + H)] = 1; // x
      weight[j * (1 + H) + 1 + j] = 2; // own h
    }
    const head = { kind: 'linear' as const, weight: new F32Matrix(2, H, Float32Array.from([1, 1, 1, 1, -1, 0, 1, 0])), bias: new Float32Array(2) };
    return new Model({ layers: [createCell('rnn-relu', 1, H, new F32Matrix(H, 1 + H, weight), new Float32Array(H))], head });
  }

  for (const backend of ['wasm', 'typescript'] as const) {
    it(`${backend}: a ReLU RNN whose h doubles every step stops at RELU_CEILING (2^64) and never hands out Infinity or NaN`, () => {
      setKernelBackend(backend);
      const session = doubling().session();
      const x = Float32Array.of(1);
      for (let t = 0; t < 300; t++) {
        expectAllFinite(session.step(x), `step ${t}`);
        expectAllFinite(session.h, `h at step ${t}`);
      }
      expect(Array.from(session.h)).toEqual([RELU_CEILING, RELU_CEILING, RELU_CEILING, RELU_CEILING]);
      expect(session.step(x)[0]).toBe(4 * RELU_CEILING);
    });
  }

  it('a ReLU layer whose recurrent weights could carry the ceiling past the limit is refused', () => {
    const H = 2;
    const weight = new Float32Array(H * (1 + H)).fill(1);
    weight[1] = 2 ** 60; // 2^60 · 2^64 > 2^120
    const error = catchError(() => new Model({ layers: [createCell('rnn-relu', 1, H, new F32Matrix(H, 1 + H, weight), new Float32Array(H))] }));
    expect(error.code).toBe(ErrorCode.WEIGHT_OVERFLOW);
    expect(error.message).toContain('layer 0 weight and bias, row 0');
  });

  it('dense input: inputLimit is the largest |x_i| the bound covers; Infinity for token models', () => {
    expect(createRandomModel(WORD_LSTM).inputLimit).toBe(Infinity);
    const sensor = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'linear', outputSize: 1 }, { seed: 10 });
    const W = sensor.layers[0].weight.toFloat32();
    const b = sensor.layers[0].bias;
    let expected = Infinity;
    for (let r = 0; r < 16; r++) {
      let inputPart = 0;
      let rest = Math.abs(b[r]);
      for (let c = 0; c < 7; c++) {
        if (c < 3) inputPart += Math.abs(W[r * 7 + c]);
        else rest += Math.abs(W[r * 7 + c]);
      }
      expected = Math.min(expected, (PRE_ACTIVATION_LIMIT - rest) / inputPart);
    }
    expect(sensor.inputLimit / expected).toBeCloseTo(1, 12);
    // An input at the limit steps finite values on both backends.
    const x = Float32Array.of(sensor.inputLimit, -sensor.inputLimit, sensor.inputLimit).map((v) => Math.fround(v * (1 - 2 ** -20)));
    for (const backend of ['wasm', 'typescript'] as const) {
      setKernelBackend(backend);
      const session = sensor.session();
      for (let t = 0; t < 5; t++) expectAllFinite(session.step(x), `${backend} step ${t}`);
    }
    // Past the limit a finite input is refused before the state is touched (INPUT_OUT_OF_RANGE).
    const session = sensor.session();
    session.step(x);
    const before = session.snapshot();
    const beyond = Float32Array.of(0, Math.fround(sensor.inputLimit * 1.5), 0);
    expect(() => session.step(beyond)).toThrow(expect.objectContaining({ code: ErrorCode.INPUT_OUT_OF_RANGE, message: expect.stringContaining('input element 1') }));
    expect(Array.from(session.snapshot())).toEqual(Array.from(before));
  });
});
