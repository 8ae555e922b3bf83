import { biasLengthOf, gateCountOf } from '../cells/cell.ts';
import { F32Matrix } from '../math/f32-matrix.ts';
import { SeededRandom } from '../math/random.ts';
import { cellOf, gateActivationOf, hiddenSizeOf, layerInputSizeOf, topHiddenSize, validateArchitecture, type Architecture } from './architecture.ts';
import { createCell } from './build-layer.ts';
import { Model, type ModelParts } from './model.ts';

/** Options of {@link createRandomModel}. */
export interface RandomModelOptions {
  /** PRNG seed; the same seed gives the same weights on every runtime. Default 1. */
  readonly seed?: number;
  /** Embedding values are uniform in ±embeddingScale. Default 0.1 (the classic word-LM recipe). */
  readonly embeddingScale?: number;
  /** Extra parts to attach (vocabulary, tokenizer, metadata). */
  readonly extras?: Pick<ModelParts, 'vocabulary' | 'tokenizer' | 'metadata'>;
}

/**
 * A model of the given architecture with PyTorch's default initialisation:
 * each layer's weights and biases (a GRU's b_ih and b_hh both) uniform in
 * ±1/√H_l (its own hidden size), the head's in ±1/√H_top, embedding uniform in ±embeddingScale. For demos, tests, benchmarks and as the trainer's start.
 * Cold path: allocates every weight.
 */
export function createRandomModel(architecture: Architecture, options: RandomModelOptions = {}): Model {
  const a = validateArchitecture(architecture);
  const random = new SeededRandom(options.seed ?? 1);
  const fill = (length: number, scale: number): Float32Array => {
    const data = new Float32Array(length);
    for (let i = 0; i < length; i++) data[i] = random.uniform(-scale, scale);
    return data;
  };
  const embedding =
    a.input === 'embedding'
      ? new F32Matrix(a.vocabSize, a.inputSize, fill(a.vocabSize * a.inputSize, options.embeddingScale ?? 0.1))
      : null;
  const layers = [];
  for (let l = 0; l < a.numLayers; l++) {
    const cell = cellOf(a, l);
    const H = hiddenSizeOf(a, l);
    const bound = 1 / Math.sqrt(H);
    const rows = gateCountOf(cell) * H;
    const inputSize = layerInputSizeOf(a, l);
    const weight = new F32Matrix(rows, inputSize + H, fill(rows * (inputSize + H), bound));
    layers.push(createCell(cell, inputSize, H, weight, fill(biasLengthOf(cell, H), bound), { gateActivation: gateActivationOf(a, l) }));
  }
  const top = topHiddenSize(a);
  const headBound = 1 / Math.sqrt(top);
  const head =
    a.head === 'none'
      ? null
      : { kind: a.head, weight: new F32Matrix(a.outputSize, top, fill(a.outputSize * top, headBound)), bias: fill(a.outputSize, headBound) };
  return new Model({ embedding, layers, head, ...options.extras });
}
