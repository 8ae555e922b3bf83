import { isGru, type RecurrentCell } from '../cells/cell.ts';
import { ErrorCode } from '../errors.ts';
import { RELU_CEILING } from '../math/activations.ts';
import type { OutputClassLayer } from '../math/class-softmax.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { topHiddenSize, type Architecture } from './architecture.ts';
import { ConfigError } from './errors.ts';

/**
 * The largest magnitude a loaded model may let any pre-activation (a gate's
 * W·[x; h] + b, a logit, an output) or embedding value reach: 2^120 ≈ 1.3e36.
 * float32 ends just below 2^128; the 2^8 between them absorbs the rounding of
 * long f32 sums, the int8 kernels' activation quantization, and the
 * differences that softmax and the class-factorized log-softmax take (a few
 * times a logit), so every step of a loaded model stays finite.
 */
export const PRE_ACTIVATION_LIMIT = 2 ** 120;

/** What the load-time check learned that a Model keeps. */
export interface WeightBounds {
  /**
   * Dense-input models: the largest |x_i| for which no first-layer
   * pre-activation can pass PRE_ACTIVATION_LIMIT (Infinity when the first
   * layer ignores its input). Token models: Infinity (their input is the
   * embedding, bounded here).
   */
  readonly inputLimit: number;
  /** [H_top] a bound on each unit of the top layer's h: what the head and output classes read. */
  readonly topHidden: Float64Array;
}

/**
 * Checks that every weight is finite (WEIGHT_NOT_FINITE) and that no step can
 * overflow float32 (WEIGHT_OVERFLOW), both from one pass over each tensor:
 * with |x| bounded by the embedding, h by 1 (LSTM, tanh, GRU) or RELU_CEILING
 * (ReLU), each row's |W·[x; h] + b| is bounded by Σ_j |W_ij|·bound_j + |b_i|,
 * layer by layer up to the head. A GRU's pre-activations are sums of parts of
 * its rows (the input and hidden products apart, the hidden one over h or
 * r ⊙ h, both within [−1, 1]) plus both biases, so the same row bound with
 * |b_ih| + |b_hh| covers them, and its h' stays in [−1, 1] (a convex mix of
 * tanh and h). Dense input has no bound of its own, so
 * the first layer is checked at x = 0 (what must hold for any input) and
 * the largest safe |x_i| is returned as inputLimit. The bounds are
 * worst cases: a refused model might never overflow on real text, but
 * nothing that passes can, as long as dense input stays within inputLimit
 * and the state is the session's own (restore and writes to session.h can
 * put anything there). Throws ConfigError naming the tensor and row.
 * Cold path: one pass over f32 weights (two over a dense first layer), the
 * scales of quantized ones; allocates a few arrays of rows or columns.
 */
export function checkWeightBounds(
  a: Architecture,
  embedding: WeightMatrix | null,
  layers: readonly RecurrentCell[],
  head: { readonly weight: WeightMatrix; readonly bias: Float32Array } | null,
): WeightBounds {
  // Bound on the layer input x: the embedding's largest element, or (dense) none.
  let inputBound = 0;
  if (embedding !== null) {
    const rowMax = embedding.rowMaxAbsInto(new Float64Array(embedding.rows));
    for (let r = 0; r < rowMax.length; r++) {
      if (!Number.isFinite(rowMax[r])) throwNotFinite(embedding, 'embedding');
      if (rowMax[r] > PRE_ACTIVATION_LIMIT) throwOverflow('embedding', r, rowMax[r], 'an element');
      if (rowMax[r] > inputBound) inputBound = rowMax[r];
    }
  }
  let inputLimit = Infinity;
  let below: Float64Array | null = null; // [H_{l-1}] bound on the h of the layer below
  for (let l = 0; l < layers.length; l++) {
    const layer = layers[l];
    const I = layer.inputSize;
    // Each layer has its own kind and size (a mixed stack).
    const H = layer.hiddenSize;
    const kind = layer.kind;
    // The layer's own h, as the recurrence reads it: ReLU only by its ceiling.
    const ownBound = layer.kind === 'rnn-relu' ? RELU_CEILING : 1;
    const columns = new Float64Array(I + H);
    for (let c = 0; c < I; c++) columns[c] = below === null ? inputBound : below[c];
    columns.fill(ownBound, I);
    const name = `layer ${l} weight`;
    const rows = layer.weight.rowBoundsInto(new Float64Array(layer.weight.rows), columns);
    checkRowsFinite(layer.weight, name, rows);
    checkFiniteVector(layer.bias, `layer ${l} bias`);
    addBias(rows, layer.bias);
    checkRows(`layer ${l} weight and bias`, rows, kind === 'lstm' || isGru(kind) ? H : 0, '|W·[x; h] + b|', isGru(kind) ? 'rzn' : 'ifgo');
    const dense = l === 0 && embedding === null;
    if (dense) inputLimit = denseInputLimit(layer, rows, name);
    // What the next layer (or the head) reads: h itself, within [-1, 1], or
    // for ReLU up to its pre-activation's bound (which dense input can push
    // as far as the limit) and the ceiling.
    const next = new Float64Array(H);
    for (let j = 0; j < H; j++) next[j] = layer.kind === 'rnn-relu' ? (dense ? RELU_CEILING : Math.min(RELU_CEILING, rows[j])) : 1;
    below = next;
  }
  const topHidden = below ?? new Float64Array(topHiddenSize(a)).fill(1);
  if (head !== null) {
    const rows = head.weight.rowBoundsInto(new Float64Array(head.weight.rows), topHidden);
    checkRowsFinite(head.weight, 'head weight', rows);
    checkFiniteVector(head.bias, 'head bias');
    addBias(rows, head.bias);
    checkRows('head weight and bias', rows, 0, 'the output');
  }
  return { inputLimit, topHidden };
}

/**
 * Checks a class-factorized output (model.outputClasses) the same way: each
 * class logit Σ_j |Z_cj|·bound_j + |z_c| must stay within the limit. A
 * finite metadata number too large for float32 arrives here as Infinity and
 * is refused too. Throws ConfigError (WEIGHT_OVERFLOW). Cold path: C·H operations.
 */
export function checkOutputClassBounds(classes: OutputClassLayer, topHidden: Float64Array): void {
  const H = topHidden.length;
  for (let c = 0; c < classes.classCount; c++) {
    let sum = Math.abs(classes.bias[c]);
    for (let j = 0; j < H; j++) sum += Math.abs(classes.weight[c * H + j]) * topHidden[j];
    if (!(sum <= PRE_ACTIVATION_LIMIT)) throwOverflow('metadata.outputClasses weight and bias', c, sum, 'the class logit');
  }
}

/**
 * The largest |x_i| that keeps every first-layer row within the limit, given
 * its bound at x = 0 (rows, bias included): a second pass with x bounded by 1
 * and h by 0 gives each row's growth per unit of |x|. Every storage type's
 * bound grows at most linearly in the column bounds, so this is safe for all.
 */
function denseInputLimit(layer: RecurrentCell, atZero: Float64Array, name: string): number {
  const columns = new Float64Array(layer.inputSize + layer.hiddenSize);
  columns.fill(1, 0, layer.inputSize);
  const slope = layer.weight.rowBoundsInto(new Float64Array(layer.weight.rows), columns);
  checkRowsFinite(layer.weight, name, slope);
  let limit = Infinity;
  for (let r = 0; r < slope.length; r++) {
    if (slope[r] > 0) limit = Math.min(limit, (PRE_ACTIVATION_LIMIT - atZero[r]) / slope[r]);
  }
  return limit;
}

/** Adds |b| per row; a bias twice as long as the rows (a GRU's b_ih | b_hh) adds both halves. */
function addBias(rows: Float64Array, bias: Float32Array): void {
  const n = rows.length;
  for (let r = 0; r < n; r++) rows[r] += Math.abs(bias[r]);
  if (bias.length === 2 * n) for (let r = 0; r < n; r++) rows[r] += Math.abs(bias[n + r]);
}

/** A non-finite row bound means a non-finite weight in that row: find it for the message. */
function checkRowsFinite(tensor: WeightMatrix, name: string, rows: Float64Array): void {
  for (let r = 0; r < rows.length; r++) if (!Number.isFinite(rows[r])) throwNotFinite(tensor, name);
}

function checkFiniteVector(tensor: Float32Array, name: string): void {
  for (let i = 0; i < tensor.length; i++) {
    if (!Number.isFinite(tensor[i])) {
      throw new ConfigError(ErrorCode.WEIGHT_NOT_FINITE, `${name} has ${tensor[i]} at element ${i}`);
    }
  }
}

/** Rows past the limit: the first one is named; gateRows H > 0 names an LSTM or GRU row's gate (a letter of gateNames) and unit too. */
function checkRows(name: string, rows: Float64Array, gateRows: number, what: string, gateNames = ''): void {
  for (let r = 0; r < rows.length; r++) {
    if (rows[r] > PRE_ACTIVATION_LIMIT) {
      const gate = gateRows > 0 ? ` (gate ${gateNames[Math.floor(r / gateRows)]}, unit ${r % gateRows})` : '';
      throwOverflow(name, r, rows[r], what, gate);
    }
  }
}

function throwNotFinite(tensor: WeightMatrix, name: string): never {
  const index = tensor.findNonFinite();
  const where = index >= 0 ? `at row ${Math.floor(index / tensor.cols)}, column ${index % tensor.cols}` : 'in a row whose bound is not finite';
  throw new ConfigError(ErrorCode.WEIGHT_NOT_FINITE, `${name} has a non-finite value ${where}`);
}

function throwOverflow(name: string, row: number, bound: number, what: string, detail = ''): never {
  throw new ConfigError(
    ErrorCode.WEIGHT_OVERFLOW,
    `${name}, row ${row}${detail}: ${what} can reach ${bound.toExponential(2)} in magnitude, past ${PRE_ACTIVATION_LIMIT.toExponential(2)} (2^120), ` +
      'where a step would no longer stay finite in float32',
  );
}
