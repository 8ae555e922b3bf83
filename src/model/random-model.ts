import { biasLengthOf, gateCountOf } from '../cells/cell.ts';
import { F32Matrix } from '../math/f32-matrix.ts';
import { SeededRandom } from '../math/random.ts';
import { gateActivationOf, validateArchitecture, type Architecture } from './architecture.ts';
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
 * recurrent and head weights and biases (a GRU's b_ih and b_hh both)
 * uniform in ±1/√H, embedding uniform in ±embeddingScale. For demos, tests, benchmarks and as the trainer's start.
 * Cold path: allocates every weight.
 */
export function createRandomModel(architecture: Architecture, options: RandomModelOptions = {}): Model {
  const a = validateArchitecture(architecture);
  const random = new SeededRandom(options.seed ?? 1);
  const H = a.hiddenSize;
  const bound = 1 / Math.sqrt(H);
  const fill = (length: number, scale: number): Float32Array => {
    const data = new Float32Array(length);
    for (let i = 0; i < length; i++) data[i] = random.uniform(-scale, scale);
    return data;
  };
  const embedding =
    a.input === 'embedding'
      ? new F32Matrix(a.vocabSize, a.inputSize, fill(a.vocabSize * a.inputSize, options.embeddingScale ?? 0.1))
      : null;
  const rows = gateCountOf(a.cell) * H;
  const biasLength = biasLengthOf(a.cell, H);
  const layers = [];
  for (let l = 0; l < a.numLayers; l++) {
    const inputSize = l === 0 ? a.inputSize : H;
    const weight = new F32Matrix(rows, inputSize + H, fill(rows * (inputSize + H), bound));
    layers.push(createCell(a.cell, inputSize, H, weight, fill(biasLength, bound), { gateActivation: gateActivationOf(a, l) }));
  }
  const head =
    a.head === 'none'
      ? null
      : { kind: a.head, weight: new F32Matrix(a.outputSize, H, fill(a.outputSize * H, bound)), bias: fill(a.outputSize, bound) };
  return new Model({ embedding, layers, head, ...options.extras });
}
