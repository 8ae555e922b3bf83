import type { CellKind } from '../../cells/cell.ts';
import { ErrorCode, LstmStreamError } from '../../errors.ts';
import type { Model } from '../../model/model.ts';
import { fromTorchStateDict, type TorchTensor } from '../../model/torch-state-dict.ts';
import { InteropError } from '../errors.ts';
import { withExtras } from '../model-extras.ts';
import { AllocationBudget, resolveInteropLimits, type InteropLimits } from '../limits.ts';
import { stackOf, unsupported, type RecurrentSpec } from './keras-layers.ts';
import { readModelJson, type KerasLayer } from './read-model-json.ts';
import { readWeights, type TfjsWeight, type TfjsWeightShards } from './read-weights.ts';

/** Options of {@link importTfjsLayers}: the reader's size limits, or a budget shared with other reads. */
export interface ImportTfjsOptions extends InteropLimits {
  readonly budget?: AllocationBudget;
}

// Keras's GRU gate blocks z, r, h against ours r, z, n: our block k is Keras block GRU_BLOCK_OF_OURS[k].
// Keras's LSTM blocks i, f, c, o are ours (i, f, g, o) as they are.
const GRU_BLOCK_OF_OURS = [1, 0, 2];
const SAME_ORDER = [0, 1, 2, 3];

/**
 * Builds a Model from a TensorFlow.js Layers model — the model.json (text,
 * bytes or parsed) and its weight shards (in manifest order, or by path) that
 * `tf.LayersModel.save` and tensorflowjs_converter write: [Embedding] →
 * LSTM | GRU | SimpleRNN × L (return_sequences below the top; each layer of
 * its own kind and size, e.g. LSTM(128) → LSTM(64) or SimpleRNN → GRU) →
 * [Dense with softmax or linear activation], in a Sequential or a plain
 * functional chain.
 * Converts Keras's layout: kernel [I, G·H] and recurrent_kernel [H, G·H] are
 * transposed into our rows; LSTM gates i, f, c, o are ours; GRU gates z, r, h
 * become r, z, n; a GRU with reset_after true (bias [2, 3H]: input and
 * recurrent) becomes `gru`, with false (bias [3H]) `gru-reset-before`, and a
 * GRU whose config does not say is told by its bias shape;
 * recurrent_activation sigmoid or hard_sigmoid per layer; use_bias false
 * gives zero biases. A softmax head's step returns logits, as every softmax
 * model here does (model.predict returns their softmax). A top layer with
 * return_sequences false still streams: each step's output is what predict
 * returns for the sequence so far.
 * Throws InteropError: TFJS_INVALID (damaged JSON or manifest, shards that
 * do not match it, weights missing or of the wrong shape), TFJS_UNSUPPORTED
 * (naming the layer and the reason), LIMIT_EXCEEDED, TENSOR_DTYPE_UNSUPPORTED,
 * and the model codes (WEIGHT_NOT_FINITE …) for bad weights. A vocabulary,
 * tokenizer and metadata under `userDefinedMetadata` (model-extras.ts keys,
 * as exportTfjsLayers writes them) are attached to the model.
 * Cold path: every declared size is checked before it is allocated; each
 * weight is copied a few times (read, reordered, fused).
 */
export function importTfjsLayers(modelJson: string | Uint8Array | object, weightShards: TfjsWeightShards, options: ImportTfjsOptions = {}): Model {
  const budget = options.budget ?? new AllocationBudget(resolveInteropLimits(options));
  const json = readModelJson(modelJson, budget.limits);
  const stack = stackOf(json.layers, json.kerasVersion);
  const weights = readWeights(json.groups, weightShards, budget);
  // Weights grouped once by layer (the name's first part: "lstm_LSTM1/kernel", "gru/gru_cell/kernel") and
  // role (the last part, without a ":0" suffix), so a manifest of many weights costs linear time.
  const byLayer = new Map<string, Map<string, { name: string; weight: TfjsWeight }>>();
  for (const [name, weight] of weights) {
    const slash = name.indexOf('/');
    const layerName = slash < 0 ? '' : name.slice(0, slash);
    const role = name.slice(name.lastIndexOf('/') + 1).replace(/:\d+$/, '');
    const roles = byLayer.get(layerName) ?? new Map<string, { name: string; weight: TfjsWeight }>();
    byLayer.set(layerName, roles);
    if (roles.has(role)) throw new InteropError(ErrorCode.TFJS_INVALID, `layer ${JSON.stringify(layerName)} has two ${role} weights (${JSON.stringify(roles.get(role)!.name)}, ${JSON.stringify(name)})`);
    roles.set(role, { name, weight });
  }
  // Weight names the model uses; any other weight in the manifest is refused, not silently dropped.
  const claimed = new Set<string>();
  /** The layer's weights by role (kernel, recurrent_kernel, bias, embeddings). */
  const weightsOf = (layer: KerasLayer): Map<string, { name: string; weight: TfjsWeight }> => byLayer.get(layer.name) ?? new Map();
  const need = (found: Map<string, { name: string; weight: TfjsWeight }>, layer: KerasLayer, role: string, shape: readonly (number | null)[]): TfjsWeight => {
    const entry = found.get(role);
    if (entry === undefined) throw new InteropError(ErrorCode.MISSING_TENSOR, `layer ${JSON.stringify(layer.name)} (${layer.className}) has no ${role} weight (expected ${JSON.stringify(`${layer.name}/${role}`)} in the manifest)`);
    const actual = entry.weight.shape;
    if (actual.length !== shape.length || shape.some((d, i) => d !== null && d !== actual[i])) {
      throw new InteropError(ErrorCode.TENSOR_SHAPE_MISMATCH, `weight ${JSON.stringify(entry.name)} has shape [${actual}], expected [${shape.map((d) => d ?? '?')}]`);
    }
    claimed.add(entry.name);
    return entry.weight;
  };

  const tensors: Record<string, TorchTensor> = {};
  let width = 0;
  if (stack.embedding !== null) {
    const layer = stack.embedding;
    const vocab = layer.config.input_dim;
    const size = layer.config.output_dim;
    const table = need(weightsOf(layer), layer, 'embeddings', [typeof vocab === 'number' ? vocab : null, typeof size === 'number' ? size : null]);
    tensors['emb.weight'] = { shape: table.shape, data: table.data };
    width = table.shape[1];
  }

  const kinds: CellKind[] = [];
  stack.recurrent.forEach((spec, l) => {
    const { layer, units: H } = spec;
    const found = weightsOf(layer);
    const G = spec.layer.className === 'LSTM' ? 4 : spec.layer.className === 'GRU' ? 3 : 1;
    const kernel = need(found, layer, 'kernel', [l === 0 && stack.embedding === null ? null : width, G * H]);
    const I = kernel.shape[0];
    const recurrentKernel = need(found, layer, 'recurrent_kernel', [H, G * H]);
    const kind = spec.kind ?? gruKindOf(spec, found.get('bias')?.weight ?? null);
    kinds.push(kind);
    const blocks = G === 3 ? GRU_BLOCK_OF_OURS : SAME_ORDER;
    tensors[`rnn.weight_ih_l${l}`] = { shape: [G * H, I], data: toRows(kernel.data, I, G, H, blocks, budget) };
    tensors[`rnn.weight_hh_l${l}`] = { shape: [G * H, H], data: toRows(recurrentKernel.data, H, G, H, blocks, budget) };
    if (spec.useBias) {
      const twoRows = kind === 'gru';
      const bias = need(found, layer, 'bias', twoRows ? [2, G * H] : [G * H]);
      // reset_after true keeps the input and recurrent biases apart (row 0, row 1), as our `gru` does.
      tensors[`rnn.bias_ih_l${l}`] = { shape: [G * H], data: toRows(bias.data.subarray(0, G * H), 1, G, H, blocks, budget) };
      if (twoRows) tensors[`rnn.bias_hh_l${l}`] = { shape: [G * H], data: toRows(bias.data.subarray(G * H), 1, G, H, blocks, budget) };
    } else if (found.has('bias')) {
      throw new InteropError(ErrorCode.TFJS_INVALID, `layer ${JSON.stringify(layer.name)} has use_bias false but a bias weight`);
    }
    width = H;
  });
  // Each layer keeps its own kind and size (a mixed stack); fromTorchStateDict reads each size from its weight_hh.
  const cells = kinds;

  if (stack.dense !== null) {
    const { layer, units: V } = stack.dense;
    const found = weightsOf(layer);
    const kernel = need(found, layer, 'kernel', [width, V]);
    tensors['out.weight'] = { shape: [V, width], data: toRows(kernel.data, width, 1, V, SAME_ORDER, budget) };
    if (stack.dense.useBias) tensors['out.bias'] = { shape: [V], data: need(found, layer, 'bias', [V]).data };
  }
  const unclaimed = [...weights.keys()].filter((name) => !claimed.has(name));
  if (unclaimed.length > 0) {
    throw new InteropError(ErrorCode.TFJS_INVALID, `the manifest has weight(s) ${unclaimed.slice(0, 4).map((n) => JSON.stringify(n)).join(', ')}${unclaimed.length > 4 ? ', …' : ''} that belong to no supported layer`);
  }
  try {
    const built = fromTorchStateDict(tensors, { cells, head: stack.dense?.head, gateActivations: stack.recurrent.map((spec: RecurrentSpec) => spec.gateActivation) });
    return withExtras(built, json.strings, 'model.json userDefinedMetadata', ErrorCode.TFJS_INVALID);
  } catch (error) {
    if (error instanceof LstmStreamError && !(error instanceof InteropError)) {
      throw new InteropError(error.code, `TensorFlow.js model: ${error.message} (rnn.*_l{k} is the k-th recurrent layer, emb.weight the Embedding, out.* the Dense layer)`, { cause: error });
    }
    throw error;
  }
}

/** A GRU whose config has no reset_after: [2, 3H] bias means true (Keras 2.x with TF2's default), [3H] false. */
function gruKindOf(spec: RecurrentSpec, bias: TfjsWeight | null): CellKind {
  if (bias === null) throw unsupported(spec.layer, 'the config has no reset_after and no bias tells it; save the model with reset_after set');
  if (bias.shape.length === 2) return 'gru';
  if (bias.shape.length === 1) return 'gru-reset-before';
  throw new InteropError(ErrorCode.TENSOR_SHAPE_MISMATCH, `layer ${JSON.stringify(spec.layer.name)} (GRU): the bias has shape [${bias.shape}], expected [${3 * spec.units}] or [2, ${3 * spec.units}]`);
}

/**
 * Keras's [width × G·H] (columns: G gate blocks of H) as our rows [G·H × width],
 * our block k taken from Keras block blocks[k]. width 1 reorders a bias.
 */
function toRows(kernel: Float32Array, width: number, G: number, H: number, blocks: readonly number[], budget: AllocationBudget): Float32Array {
  const out = budget.float32(kernel.length, 'the transposed weights');
  const columns = G * H;
  for (let k = 0; k < G; k++) {
    const from = blocks[k] * H;
    for (let u = 0; u < H; u++) {
      const row = (k * H + u) * width;
      for (let i = 0; i < width; i++) out[row + i] = kernel[i * columns + from + u];
    }
  }
  return out;
}
