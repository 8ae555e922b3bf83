import type { CellKind, GateActivation } from '../../cells/cell.ts';
import { ErrorCode } from '../../errors.ts';
import { InteropError } from '../errors.ts';
import type { KerasLayer } from './read-model-json.ts';

/** A recurrent layer as our cells will run it. */
export interface RecurrentSpec {
  readonly layer: KerasLayer;
  /** The cell kind; a GRU's is `gru` for reset_after true, `gru-reset-before` for false, null when the config does not say (the bias shape decides). */
  readonly kind: CellKind | null;
  readonly units: number;
  readonly gateActivation: GateActivation;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
}

/** The output layer: a Dense whose activation is softmax or linear (or a linear Dense and an Activation layer after it). */
export interface DenseSpec {
  readonly layer: KerasLayer;
  readonly units: number;
  readonly head: 'softmax' | 'linear';
  readonly useBias: boolean;
}

/** The chain read as a streaming stack: embedding (or dense input), recurrent layers bottom first, optional head. */
export interface StackSpec {
  readonly embedding: KerasLayer | null;
  readonly recurrent: readonly RecurrentSpec[];
  readonly dense: DenseSpec | null;
}

// Why a layer class cannot run one step at a time with carried state; the message names the layer.
const REFUSED: Readonly<Record<string, string>> = {
  Bidirectional: 'a bidirectional layer needs the whole sequence before its first output; a stream has no end to read back from',
  TimeDistributed: 'TimeDistributed wrappers are not supported; a Dense after a recurrent layer is already applied per step',
  Masking: 'masking makes masked steps keep the previous state, which a streaming step cannot know; remove the Masking layer',
  Attention: 'attention looks at the whole sequence, not one step',
  AdditiveAttention: 'attention looks at the whole sequence, not one step',
  MultiHeadAttention: 'attention looks at the whole sequence, not one step',
  ConvLSTM2D: 'convolutional recurrent layers are not supported',
  RNN: 'generic RNN wrappers (custom or stacked cells) are not supported; use LSTM, GRU or SimpleRNN layers',
  StackedRNNCells: 'stacked cells inside one RNN layer are not supported; stack LSTM, GRU or SimpleRNN layers',
};
// Layers that compute nothing at inference.
const PASS_THROUGH = new Set(['InputLayer', 'Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);
const RECURRENT = new Set(['LSTM', 'GRU', 'SimpleRNN', 'CuDNNLSTM', 'CuDNNGRU']);

/** An InteropError TFJS_UNSUPPORTED naming the layer and the reason. */
export function unsupported(layer: KerasLayer, why: string): InteropError {
  return new InteropError(ErrorCode.TFJS_UNSUPPORTED, `layer ${JSON.stringify(layer.name)} (${layer.className}): ${why}`);
}

/**
 * Reads the layer chain as [InputLayer] [Embedding] recurrent+ [Dense
 * [Activation]], skipping dropout and noise layers (identity at inference;
 * recurrent dropout is ignored the same way). `kerasVersion` decides what
 * hard_sigmoid means (Keras 3 changed it). Throws InteropError
 * TFJS_UNSUPPORTED naming the layer and the reason for everything a
 * streaming stack cannot compute (Bidirectional, masking, attention,
 * go_backwards, return_state, time_major, other activations, an unknown
 * layer); the layers may differ in kind and size. TFJS_INVALID for a config field of the wrong type. Cold path.
 */
export function stackOf(layers: readonly KerasLayer[], kerasVersion: string): StackSpec {
  let embedding: KerasLayer | null = null;
  const recurrent: RecurrentSpec[] = [];
  let dense = null as DenseSpec | null;
  for (const layer of layers) {
    const c = layer.className;
    if (PASS_THROUGH.has(c)) continue;
    if (Object.hasOwn(REFUSED, c)) throw unsupported(layer, REFUSED[c]);
    if (dense !== null) {
      if (c === 'Activation' && dense.head === 'linear') {
        const activation = activationOf(layer);
        if (activation !== 'softmax' && activation !== 'linear') throw unsupported(layer, `activation ${JSON.stringify(activation)} after the output layer is not supported; softmax or linear`);
        dense = { ...dense, head: activation };
        continue;
      }
      throw unsupported(layer, `only one Dense output layer (and an Activation after it) may follow the recurrent stack`);
    }
    if (c === 'Embedding') {
      if (embedding !== null || recurrent.length > 0) throw unsupported(layer, 'an embedding is supported as the first layer only');
      if (layer.config.mask_zero === true) throw unsupported(layer, 'mask_zero makes token 0 skip the step and keep the state, which a streaming step does not do; train without mask_zero');
      embedding = layer;
    } else if (RECURRENT.has(c)) {
      if (recurrent.length > 0 && !recurrent[recurrent.length - 1].returnSequences) {
        throw unsupported(recurrent[recurrent.length - 1].layer, 'return_sequences is false under another recurrent layer; a stack passes every step on');
      }
      recurrent.push(recurrentOf(layer, kerasVersion));
    } else if (c === 'Dense') {
      if (recurrent.length === 0) throw unsupported(layer, 'a Dense layer before the recurrent stack is not supported');
      dense = denseOf(layer);
    } else {
      throw unsupported(layer, `layer class ${c} is not supported; a stack is [Embedding] LSTM | GRU | SimpleRNN … [Dense]`);
    }
  }
  if (recurrent.length === 0) throw new InteropError(ErrorCode.TFJS_UNSUPPORTED, 'model.json has no LSTM, GRU or SimpleRNN layer');
  // Layers may differ in kind and size (LSTM(128) → LSTM(64), SimpleRNN under a GRU): each is its own layer.
  return { embedding, recurrent, dense };
}

function recurrentOf(layer: KerasLayer, kerasVersion: string): RecurrentSpec {
  const config = layer.config;
  const c = layer.className;
  if (c === 'CuDNNLSTM' || c === 'CuDNNGRU') throw unsupported(layer, 'CuDNN layers use their own bias layout; save the model with LSTM or GRU layers');
  if (config.go_backwards === true) throw unsupported(layer, 'go_backwards reads the sequence from its end, which a stream never reaches');
  if (config.return_state === true) throw unsupported(layer, 'return_state adds outputs beside the sequence; only a plain chain is supported');
  if (config.time_major === true) throw unsupported(layer, 'time_major tensors are not supported');
  const units = config.units;
  if (!(Number.isSafeInteger(units) && (units as number) > 0)) {
    throw new InteropError(ErrorCode.TFJS_INVALID, `layer ${JSON.stringify(layer.name)} (${c}): units is ${JSON.stringify(units)}; expected a positive integer`);
  }
  const activation = activationOf(layer);
  let kind: CellKind | null;
  if (c === 'SimpleRNN') {
    if (activation !== 'tanh' && activation !== 'relu') throw unsupported(layer, `activation ${JSON.stringify(activation)} is not supported; a SimpleRNN runs tanh or relu`);
    kind = activation === 'relu' ? 'rnn-relu' : 'rnn-tanh';
  } else {
    if (activation !== 'tanh') throw unsupported(layer, `activation ${JSON.stringify(activation)} is not supported; ${c} layers run tanh`);
    const resetAfter = config.reset_after;
    kind = c === 'LSTM' ? 'lstm' : resetAfter === true ? 'gru' : resetAfter === false ? 'gru-reset-before' : null;
  }
  return {
    layer,
    kind,
    units: units as number,
    gateActivation: c === 'SimpleRNN' ? 'sigmoid' : gateActivationOf(layer, kerasVersion),
    useBias: config.use_bias !== false,
    returnSequences: config.return_sequences === true,
  };
}

function gateActivationOf(layer: KerasLayer, kerasVersion: string): GateActivation {
  const name = nameOf(layer.config.recurrent_activation, layer, 'recurrent_activation') ?? 'sigmoid';
  if (name === 'sigmoid') return 'sigmoid';
  if (name === 'hard_sigmoid' || name === 'hardSigmoid' || name === 'hardsigmoid') {
    // Keras 3's hard_sigmoid is relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1); TensorFlow.js's and Keras 2's is clip(0.2x + 0.5, 0, 1), ours.
    if (/^3\./.test(kerasVersion)) throw unsupported(layer, `recurrent_activation hard_sigmoid of Keras ${kerasVersion} is clip(x/6 + 0.5, 0, 1), not the clip(0.2x + 0.5, 0, 1) this library computes`);
    return 'hard-sigmoid';
  }
  throw unsupported(layer, `recurrent_activation ${JSON.stringify(name)} is not supported; sigmoid or hard_sigmoid`);
}

function denseOf(layer: KerasLayer): DenseSpec {
  const units = layer.config.units;
  if (!(Number.isSafeInteger(units) && (units as number) > 0)) {
    throw new InteropError(ErrorCode.TFJS_INVALID, `layer ${JSON.stringify(layer.name)} (Dense): units is ${JSON.stringify(units)}; expected a positive integer`);
  }
  const activation = activationOf(layer);
  if (activation !== 'softmax' && activation !== 'linear') {
    throw unsupported(layer, `activation ${JSON.stringify(activation)} is not supported for the output layer; softmax or linear`);
  }
  return { layer, units: units as number, head: activation, useBias: layer.config.use_bias !== false };
}

/** The layer's `activation`, as a name: a string, Keras 3's {class_name, config: {name}} form, or linear when absent. */
function activationOf(layer: KerasLayer): string {
  return nameOf(layer.config.activation, layer, 'activation') ?? 'linear';
}

function nameOf(value: unknown, layer: KerasLayer, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    const config = record.config as Record<string, unknown> | undefined;
    const name = typeof config === 'object' && config !== null && typeof config.name === 'string' ? config.name : record.class_name;
    if (typeof name === 'string') return name;
  }
  throw new InteropError(ErrorCode.TFJS_INVALID, `layer ${JSON.stringify(layer.name)} (${layer.className}): ${field} is ${JSON.stringify(value).slice(0, 80)}; expected a name`);
}
