import type { CellKind, GateActivation } from '../cells/cell.ts';
import { gateCountOf, isGru } from '../cells/cell.ts';
import { ErrorCode } from '../errors.ts';
import { F32Matrix } from '../math/f32-matrix.ts';
import { describeLayers, isMixedStack } from './architecture.ts';
import { createCell } from './build-layer.ts';
import { ConfigError } from './errors.ts';
import { Model, type Head } from './model.ts';

/** A tensor as PyTorch code hands it over: a shape and row-major data. */
export interface TorchTensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Options of {@link fromTorchStateDict}. */
export interface FromTorchOptions {
  /**
   * The cell kind. Omitted: LSTM when weight_hh has 4H rows, a GRU (`gru`,
   * PyTorch's variant) when it has 3H, otherwise an Elman RNN with tanh.
   */
  readonly cell?: CellKind;
  /** The head's activation when `out.weight` is present: softmax (default with an embedding) or linear. */
  readonly head?: 'softmax' | 'linear';
  /**
   * Each layer's gate activation, bottom first (PyTorch's names cannot say
   * it; nn.LSTM and nn.GRU use the sigmoid). Default: sigmoid everywhere.
   * Throws ConfigError (INVALID_CONFIG) when the list's length is not the
   * layer count.
   */
  readonly gateActivations?: readonly GateActivation[];
  /**
   * Each layer's cell kind, bottom first, for a stack whose layers differ in
   * kind or size (PyTorch's modules have one of each, so only lstm-stream's
   * own transport writes such a dict): each layer's hidden size is then
   * read from its own weight_hh_l{l}. Omitted: every layer is `cell` with
   * layer 0's size. Throws ConfigError (INVALID_CONFIG) when the list's
   * length is not the layer count; takes precedence over `cell`.
   */
  readonly cells?: readonly CellKind[];
}

const LAYER_KEY = /^(weight_ih|weight_hh|bias_ih|bias_hh)_l(\d+)$/;

/**
 * Builds a Model from PyTorch-named tensors: a bare `nn.LSTM`/`nn.GRU`/`nn.RNN`
 * state dict (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, …) or a
 * language model (`emb.weight`, `rnn.…`, `out.weight`, `out.bias`).
 * Concatenates [W_ih | W_hh] per row; sums the two biases into the fused one
 * (LSTM, Elman) or keeps them apart, [b_ih | b_hh] (GRU: PyTorch's gate order
 * r, z, n is ours).
 * Throws ConfigError naming the tensor for a missing, unexpected, mis-shaped
 * or non-finite one. Cold path: copies every weight once into f32.
 */
export function fromTorchStateDict(
  tensors: Readonly<Record<string, TorchTensor>>,
  options: FromTorchOptions = {},
): Model {
  const prefix = Object.keys(tensors).some((key) => key.startsWith('rnn.')) ? 'rnn.' : '';
  const used = new Set<string>();
  const take = (name: string): TorchTensor => {
    const tensor = tensors[name];
    if (tensor === undefined) throw new ConfigError(ErrorCode.MISSING_TENSOR, `state dict has no tensor ${name}`);
    used.add(name);
    return checkTensor(name, tensor);
  };

  const layerIndices = new Set<number>();
  for (const key of Object.keys(tensors)) {
    const match = key.startsWith(prefix) ? LAYER_KEY.exec(key.slice(prefix.length)) : null;
    if (match) layerIndices.add(Number(match[2]));
  }
  const numLayers = layerIndices.size;
  if (numLayers === 0) throw new ConfigError(ErrorCode.MISSING_TENSOR, `state dict has no tensor ${prefix}weight_ih_l0`);
  for (let l = 0; l < numLayers; l++) {
    if (!layerIndices.has(l)) throw new ConfigError(ErrorCode.MISSING_TENSOR, `state dict has no tensor ${prefix}weight_ih_l${l}`);
  }

  if (options.gateActivations !== undefined && options.gateActivations.length !== numLayers) {
    throw new ConfigError(ErrorCode.INVALID_CONFIG, `gateActivations has ${options.gateActivations.length} entries for a ${numLayers}-layer state dict`);
  }
  if (options.cells !== undefined && options.cells.length !== numLayers) {
    throw new ConfigError(ErrorCode.INVALID_CONFIG, `cells has ${options.cells.length} entries for a ${numLayers}-layer state dict`);
  }
  const hh0 = take(`${prefix}weight_hh_l0`);
  expectRank(`${prefix}weight_hh_l0`, hh0, 2);
  const gateRows = hh0.shape[0];
  const firstSize = hh0.shape[1];
  const cell = options.cells?.[0] ?? options.cell ?? (gateRows === 4 * firstSize ? 'lstm' : gateRows === 3 * firstSize ? 'gru' : 'rnn-tanh');
  if (gateRows !== gateCountOf(cell) * firstSize) {
    throw new ConfigError(
      ErrorCode.TENSOR_SHAPE_MISMATCH,
      `${prefix}weight_hh_l0 has shape [${hh0.shape}], expected [${gateCountOf(cell) * firstSize}, ${firstSize}] for ${cell} with hiddenSize ${firstSize}`,
    );
  }

  let embedding: F32Matrix | null = null;
  if (tensors['emb.weight'] !== undefined) {
    const emb = take('emb.weight');
    expectRank('emb.weight', emb, 2);
    embedding = new F32Matrix(emb.shape[0], emb.shape[1], Float32Array.from(emb.data));
  }

  const layers = [];
  let hiddenSize = firstSize; // [the current layer's H]; the head reads the top one's
  for (let l = 0; l < numLayers; l++) {
    const below = hiddenSize;
    const layerCell = options.cells?.[l] ?? cell;
    const gateCount = gateCountOf(layerCell);
    const ihName = `${prefix}weight_ih_l${l}`;
    const ih = take(ihName);
    expectRank(ihName, ih, 2);
    const inputSize = ih.shape[1];
    const expectedInput = l > 0 ? below : embedding !== null ? embedding.cols : inputSize;
    const hhName = `${prefix}weight_hh_l${l}`;
    const hh = l === 0 ? hh0 : take(hhName);
    // With per-layer cells each layer has its own size (its weight_hh's columns); PyTorch's modules have one size.
    if (options.cells !== undefined) {
      expectRank(hhName, hh, 2);
      hiddenSize = hh.shape[1];
    }
    expectShape(ihName, ih, [gateCount * hiddenSize, expectedInput]);
    expectShape(hhName, hh, [gateCount * hiddenSize, hiddenSize]);
    const rows = gateCount * hiddenSize;
    const cols = inputSize + hiddenSize;
    const weight = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < inputSize; k++) weight[r * cols + k] = ih.data[r * inputSize + k];
      for (let k = 0; k < hiddenSize; k++) weight[r * cols + inputSize + k] = hh.data[r * hiddenSize + k];
    }
    const gru = isGru(layerCell);
    const biasSum = new Float64Array(gru ? 2 * rows : rows);
    ['bias_ih', 'bias_hh'].forEach((kind, half) => {
      const name = `${prefix}${kind}_l${l}`;
      if (tensors[name] === undefined) return; // nn.LSTM(bias=False) has neither
      const b = take(name);
      expectShape(name, b, [rows]);
      // A GRU keeps b_hh apart (its n part is multiplied by r); the others sum them.
      const at = gru ? half * rows : 0;
      for (let r = 0; r < rows; r++) biasSum[at + r] += b.data[r];
    });
    // Summed in f64 and rounded once, so an f64 state dict loses no more than one rounding.
    const bias = Float32Array.from(biasSum);
    layers.push(createCell(layerCell, inputSize, hiddenSize, new F32Matrix(rows, cols, weight), bias, { gateActivation: options.gateActivations?.[l] ?? 'sigmoid' }));
  }

  let head: Head | null = null;
  if (tensors['out.weight'] !== undefined) {
    const out = take('out.weight');
    expectShape('out.weight', out, [out.shape[0] ?? 0, hiddenSize]);
    const outputSize = out.shape[0];
    const bias = new Float32Array(outputSize);
    if (tensors['out.bias'] !== undefined) {
      const b = take('out.bias');
      expectShape('out.bias', b, [outputSize]);
      bias.set(Float32Array.from(b.data));
    }
    const kind = options.head ?? (embedding !== null ? 'softmax' : 'linear');
    head = { kind, weight: new F32Matrix(outputSize, hiddenSize, Float32Array.from(out.data)), bias };
  } else if (tensors['out.bias'] !== undefined) {
    throw new ConfigError(ErrorCode.MISSING_TENSOR, 'state dict has out.bias but no out.weight');
  }

  for (const key of Object.keys(tensors)) {
    if (!used.has(key)) {
      throw new ConfigError(
        ErrorCode.UNEXPECTED_TENSOR,
        `state dict has tensor ${key}, which a ${numLayers}-layer ${options.cells === undefined ? cell : options.cells.join('/')} model does not use (bidirectional and projected LSTMs are not supported)`,
      );
    }
  }
  return new Model({ embedding, layers, head });
}

/**
 * The inverse of {@link fromTorchStateDict}: PyTorch-named f32 tensors
 * (language-model names when the model has an embedding, bare stack names
 * otherwise, plus `out.*` for a head). The fused bias goes to `bias_ih_l{k}`
 * and zeros to `bias_hh_l{k}`; a GRU's two biases go to their own names.
 * Throws ConfigError (INVALID_CONFIG) for what PyTorch's modules cannot
 * compute: a `gru-reset-before` model (nn.GRU applies the reset gate after
 * the hidden product) and hard-sigmoid gates (nn.LSTM and nn.GRU use the
 * sigmoid) and a stack whose layers differ in kind or size (PyTorch's
 * modules have one of each), unless `transport` says the names only carry
 * the weights back into fromTorchStateDict with the same cells and
 * gateActivations (the trainer's worker threads). Cold path: allocates a
 * copy of every weight.
 */
export function toTorchStateDict(
  model: Model,
  options: { readonly transport?: boolean } = {},
): Record<string, { shape: number[]; data: Float32Array }> {
  const a = model.architecture;
  if (isMixedStack(a) && options.transport !== true) {
    throw new ConfigError(
      ErrorCode.INVALID_CONFIG,
      `a stack whose layers differ in kind or size (${describeLayers(a)}) has no PyTorch state dict: nn.LSTM, nn.GRU and nn.RNN have one cell kind and one hidden size; ONNX (a chain of recurrent nodes) and TensorFlow.js carry it`,
    );
  }
  if (a.cell === 'gru-reset-before' && options.transport !== true) {
    throw new ConfigError(
      ErrorCode.INVALID_CONFIG,
      "a gru-reset-before model has no nn.GRU equivalent: PyTorch's GRU applies the reset gate after the hidden product (cell gru); ONNX's GRU operator carries it (linear_before_reset = 0)",
    );
  }
  const hardLayer = model.layers.findIndex((layer) => layer.gateActivation !== 'sigmoid');
  if (hardLayer >= 0 && options.transport !== true) {
    throw new ConfigError(
      ErrorCode.INVALID_CONFIG,
      `layer ${hardLayer} has ${model.layers[hardLayer].gateActivation} gates, which PyTorch's ${a.cell === 'lstm' ? 'nn.LSTM' : 'nn.GRU'} cannot compute (it uses the sigmoid); ONNX carries them (activations HardSigmoid)`,
    );
  }
  const prefix = model.embedding !== null ? 'rnn.' : '';
  const result: Record<string, { shape: number[]; data: Float32Array }> = {};
  if (model.embedding !== null) {
    result['emb.weight'] = { shape: [model.embedding.rows, model.embedding.cols], data: model.embedding.toFloat32() };
  }
  model.layers.forEach((layer, l) => {
    const rows = layer.weight.rows;
    const inputSize = layer.inputSize;
    const H = layer.hiddenSize;
    const cols = inputSize + H;
    const fused = layer.weight.toFloat32();
    const ih = new Float32Array(rows * inputSize);
    const hh = new Float32Array(rows * H);
    for (let r = 0; r < rows; r++) {
      ih.set(fused.subarray(r * cols, r * cols + inputSize), r * inputSize);
      hh.set(fused.subarray(r * cols + inputSize, (r + 1) * cols), r * H);
    }
    result[`${prefix}weight_ih_l${l}`] = { shape: [rows, inputSize], data: ih };
    result[`${prefix}weight_hh_l${l}`] = { shape: [rows, H], data: hh };
    const gru = isGru(layer.kind);
    result[`${prefix}bias_ih_l${l}`] = { shape: [rows], data: layer.bias.slice(0, rows) };
    result[`${prefix}bias_hh_l${l}`] = { shape: [rows], data: gru ? layer.bias.slice(rows, 2 * rows) : new Float32Array(rows) };
  });
  if (model.head !== null) {
    result['out.weight'] = { shape: [model.head.weight.rows, model.head.weight.cols], data: model.head.weight.toFloat32() };
    result['out.bias'] = { shape: [model.head.bias.length], data: model.head.bias.slice() };
  }
  return result;
}

function checkTensor(name: string, tensor: TorchTensor): TorchTensor {
  if (
    tensor === null ||
    typeof tensor !== 'object' ||
    !Array.isArray(tensor.shape) ||
    !tensor.shape.every((d) => Number.isInteger(d) && d >= 0) ||
    tensor.data === null ||
    typeof tensor.data !== 'object' ||
    typeof tensor.data.length !== 'number'
  ) {
    throw new ConfigError(ErrorCode.TENSOR_SHAPE_MISMATCH, `tensor ${name} is not { shape: number[], data: ArrayLike<number> }`);
  }
  const size = tensor.shape.reduce((product, d) => product * d, 1);
  if (tensor.data.length !== size) {
    throw new ConfigError(
      ErrorCode.TENSOR_DATA_LENGTH,
      `tensor ${name} has shape [${tensor.shape}] (${size} elements) but ${tensor.data.length} data elements`,
    );
  }
  for (let i = 0; i < size; i++) {
    const v = tensor.data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConfigError(ErrorCode.WEIGHT_NOT_FINITE, `tensor ${name} has ${String(v)} at element ${i}`);
    }
  }
  return tensor;
}

function expectRank(name: string, tensor: TorchTensor, rank: number): void {
  if (tensor.shape.length !== rank) {
    throw new ConfigError(ErrorCode.TENSOR_SHAPE_MISMATCH, `tensor ${name} has shape [${tensor.shape}], expected ${rank} dimensions`);
  }
}

function expectShape(name: string, tensor: TorchTensor, shape: readonly number[]): void {
  if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
    throw new ConfigError(ErrorCode.TENSOR_SHAPE_MISMATCH, `tensor ${name} has shape [${tensor.shape}], expected [${shape}]`);
  }
}
