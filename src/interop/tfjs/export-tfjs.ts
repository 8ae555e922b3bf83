import { topHiddenSize } from '../../model/architecture.ts';
import type { Model } from '../../model/model.ts';
import { extrasOf } from '../model-extras.ts';

/** What {@link exportTfjsLayers} writes: model.json's text and the one weight shard it names. */
export interface TfjsLayersFiles {
  /** model.json: `modelTopology` (a Sequential), `weightsManifest` naming {@link shardPath}. */
  readonly modelJson: string;
  /** The weights, float32 little-endian, in manifest order. */
  readonly weights: Uint8Array;
  /** The shard's file name in the manifest, to be written beside model.json. */
  readonly shardPath: string;
}

/** Options of {@link exportTfjsLayers}. */
export interface ExportTfjsOptions {
  /** The shard's file name. Default `group1-shard1of1.bin`, tensorflowjs_converter's name for a one-shard model. */
  readonly shardPath?: string;
}

// Keras's GRU gate blocks z, r, h hold our blocks r, z, n as KERAS_OF_OURS[j] (a swap: its own inverse).
const GRU_OURS_OF_KERAS = [1, 0, 2];
const SAME_ORDER = [0, 1, 2, 3];
const CLASS_OF = { lstm: 'LSTM', gru: 'GRU', 'gru-reset-before': 'GRU', 'rnn-tanh': 'SimpleRNN', 'rnn-relu': 'SimpleRNN' } as const;

/**
 * Writes a model as a TensorFlow.js Layers model (model.json + one weight
 * shard), the inverse of importTfjsLayers: a Sequential of [Embedding] →
 * LSTM | GRU | SimpleRNN × L (return_sequences true; each layer of its own
 * kind and size, so a mixed stack goes too) → [Dense softmax |
 * linear], in Keras's layout (kernel [I, G·H], recurrent_kernel [H, G·H],
 * GRU gates z, r, h). A `gru-reset-before` layer is a GRU with reset_after
 * false and one bias (b_ih + b_hh: both sit outside r there); a `gru` layer
 * has reset_after true and bias [2, 3H] — valid Keras, which
 * `tf.loadLayersModel` refuses (TensorFlow.js's GRU has no reset_after true).
 * Hard-sigmoid gates are recurrent_activation hard_sigmoid; keras_version is
 * written as 2.x, whose hard_sigmoid (clip(0.2x + 0.5, 0, 1)) is ours.
 * Quantized weights are written dequantized. Vocabulary, tokenizer and
 * metadata travel as JSON strings in `userDefinedMetadata` (model-extras.ts
 * keys), which TensorFlow.js keeps and importTfjsLayers reads back. Cold path: one copy of every weight.
 */
export function exportTfjsLayers(model: Model, options: ExportTfjsOptions = {}): TfjsLayersFiles {
  const a = model.architecture;
  const shardPath = options.shardPath ?? 'group1-shard1of1.bin';
  const layers: unknown[] = [];
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const parts: Float32Array[] = [];
  const add = (name: string, shape: number[], data: Float32Array): void => {
    specs.push({ name, shape, dtype: 'float32' });
    parts.push(data);
  };
  if (model.embedding !== null) {
    layers.push({ class_name: 'Embedding', config: { name: 'embedding', trainable: true, dtype: 'float32', batch_input_shape: [null, null], input_dim: a.vocabSize, output_dim: a.inputSize, mask_zero: false } });
    add('embedding/embeddings', [a.vocabSize, a.inputSize], model.embedding.toFloat32());
  }
  const counts: Record<string, number> = {};
  model.layers.forEach((layer, l) => {
    const className = CLASS_OF[layer.kind];
    const base = className === 'SimpleRNN' ? 'simple_rnn' : className.toLowerCase();
    const seen = counts[base] ?? 0;
    counts[base] = seen + 1;
    const name = seen === 0 ? base : `${base}_${seen}`;
    const H = layer.hiddenSize;
    const I = layer.inputSize;
    const G = layer.gateCount;
    const config: Record<string, unknown> = {
      name,
      trainable: true,
      dtype: 'float32',
      ...(l === 0 && model.embedding === null ? { batch_input_shape: [null, null, I] } : {}),
      units: H,
      activation: layer.kind === 'rnn-relu' ? 'relu' : 'tanh',
      use_bias: true,
      return_sequences: true,
      return_state: false,
      go_backwards: false,
      stateful: false,
      unroll: false,
      dropout: 0,
      recurrent_dropout: 0,
    };
    if (className !== 'SimpleRNN') config.recurrent_activation = layer.gateActivation === 'hard-sigmoid' ? 'hard_sigmoid' : 'sigmoid';
    if (className === 'GRU') config.reset_after = layer.kind === 'gru';
    layers.push({ class_name: className, config });
    const blocks = className === 'GRU' ? GRU_OURS_OF_KERAS : SAME_ORDER;
    const fused = layer.weight.toFloat32(); // [G·H × (I + H)]
    add(`${name}/kernel`, [I, G * H], toColumns(fused, I + H, 0, I, G, H, blocks));
    add(`${name}/recurrent_kernel`, [H, G * H], toColumns(fused, I + H, I, H, G, H, blocks));
    const rows = G * H;
    if (layer.kind === 'gru') {
      add(`${name}/bias`, [2, rows], concat([toColumns(layer.bias, 1, 0, 1, G, H, blocks), toColumns(layer.bias.subarray(rows), 1, 0, 1, G, H, blocks)]));
    } else if (layer.kind === 'gru-reset-before') {
      const sum = new Float32Array(rows);
      for (let r = 0; r < rows; r++) sum[r] = layer.bias[r] + layer.bias[rows + r];
      add(`${name}/bias`, [rows], toColumns(sum, 1, 0, 1, G, H, blocks));
    } else {
      add(`${name}/bias`, [rows], toColumns(layer.bias, 1, 0, 1, G, H, blocks));
    }
  });
  if (model.head !== null) {
    const V = a.outputSize;
    const H = topHiddenSize(a); // the Dense layer reads the top recurrent layer
    layers.push({ class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: V, activation: model.head.kind === 'softmax' ? 'softmax' : 'linear', use_bias: true } });
    add('dense/kernel', [H, V], toColumns(model.head.weight.toFloat32(), H, 0, H, 1, V, SAME_ORDER));
    add('dense/bias', [V], model.head.bias.slice());
  }
  const extras = extrasOf(model);
  const modelJson = JSON.stringify({
    format: 'layers-model',
    generatedBy: 'lstm-stream',
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: 'sequential', layers }, keras_version: '2.15.0', backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [shardPath], weights: specs }],
    // TensorFlow.js keeps this object as is (model.getUserDefinedMetadata()); importTfjsLayers reads it back.
    ...(Object.keys(extras).length > 0 ? { userDefinedMetadata: extras } : {}),
  });
  const all = concat(parts);
  return { modelJson, weights: new Uint8Array(all.buffer, all.byteOffset, all.byteLength), shardPath };
}

/**
 * Our rows [G·H × stride] (columns from..from+width) as Keras's [width × G·H]:
 * Keras block j holds our block blocks[j]. With stride 1 and width 1 it reorders a bias.
 */
function toColumns(rows: Float32Array, stride: number, from: number, width: number, G: number, H: number, blocks: readonly number[]): Float32Array {
  const out = new Float32Array(width * G * H);
  const columns = G * H;
  for (let j = 0; j < G; j++) {
    const ours = blocks[j] * H;
    for (let u = 0; u < H; u++) {
      const row = (ours + u) * stride + from;
      for (let i = 0; i < width; i++) out[i * columns + j * H + u] = rows[row + i];
    }
  }
  return out;
}

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
