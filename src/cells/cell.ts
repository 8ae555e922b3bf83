import type { WeightMatrix } from '../math/matrix.ts';

/**
 * The recurrent cell kinds: LSTM, the Elman RNN with tanh or ReLU, and the
 * GRU in its two variants: `gru` is PyTorch's (the reset gate multiplies the
 * hidden product: n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))), also
 * Keras's reset_after=True and ONNX's linear_before_reset=1;
 * `gru-reset-before` multiplies h before the product
 * (n = tanh(W_in·x + b_in + W_hn·(r ⊙ h) + b_hn)), as Keras's
 * reset_after=False, TensorFlow.js and ONNX's default linear_before_reset=0 do.
 */
export type CellKind = 'lstm' | 'rnn-tanh' | 'rnn-relu' | 'gru' | 'gru-reset-before';

/** The cell kinds, for validation and messages. */
export const CELL_KINDS: readonly CellKind[] = ['lstm', 'rnn-tanh', 'rnn-relu', 'gru', 'gru-reset-before'];

/**
 * The activation of a layer's gates (an LSTM's i, f, o; a GRU's r, z):
 * the logistic sigmoid (PyTorch, ONNX's default, Keras 3) or the hard
 * sigmoid clip(0.2·x + 0.5, 0, 1) (TensorFlow.js's default, Keras before
 * TensorFlow 2; ONNX HardSigmoid with alpha 0.2, beta 0.5). A property of
 * each layer, so a stack may mix them. Elman layers have no gates and are
 * always 'sigmoid' (the default, meaning nothing for them).
 */
export type GateActivation = 'sigmoid' | 'hard-sigmoid';

/** The gate activations, for validation and messages. */
export const GATE_ACTIVATIONS: readonly GateActivation[] = ['sigmoid', 'hard-sigmoid'];

/** True for the kinds with gates (LSTM, both GRUs), whose gate activation may be chosen. */
export function hasGates(kind: CellKind): boolean {
  return kind !== 'rnn-tanh' && kind !== 'rnn-relu';
}

/**
 * One recurrent layer: a weight matrix over the concatenated input and
 * previous hidden state, and one step that writes the new state in place.
 */
export interface RecurrentCell {
  readonly kind: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Rows per hidden unit in the weight matrix: 4 for LSTM, 3 for GRU, 1 for Elman. */
  readonly gateCount: number;
  /** The activation of the gates: sigmoid or hard sigmoid (always sigmoid for Elman cells, which have none). */
  readonly gateActivation: GateActivation;
  /**
   * Weights [gateCount·H × (I + H)], row-major: row r is [W_ih[r] | W_hh[r]].
   * LSTM and Elman cells multiply it by [x; h] in one pass; a GRU multiplies
   * the two column blocks apart (see GruCell).
   */
  readonly weight: WeightMatrix;
  /**
   * LSTM and Elman: the fused bias [gateCount·H], PyTorch's b_ih + b_hh.
   * GRU: both biases [2·3H] = [b_ih | b_hh], since b_hn cannot be folded into b_in.
   */
  readonly bias: Float32Array;
  /**
   * Advances one step. `xh` [I + H] holds the layer input followed by the
   * previous h; `h` [H] and `c` [H] (LSTM only; null otherwise) are updated in
   * place; `gates` [stepScratchLengthOf(kind, H)] is scratch. Returns h.
   * Allocates nothing.
   */
  stepInto(h: Float32Array, c: Float32Array | null, xh: Float32Array, gates: Float32Array): Float32Array;
}

/** Number of gate blocks (of H rows) in the weight matrix of a cell kind. */
export function gateCountOf(kind: CellKind): number {
  return kind === 'lstm' ? 4 : isGru(kind) ? 3 : 1;
}

/** Length of a layer's bias: gateCount·H, or 6H for a GRU (b_ih and b_hh kept apart). */
export function biasLengthOf(kind: CellKind, hiddenSize: number): number {
  return (isGru(kind) ? 6 : gateCountOf(kind)) * hiddenSize;
}

/**
 * Floats of scratch a cell's TypeScript step needs: the gate pre-activations
 * (gateCount·H), for a GRU its input and hidden products apart (3H each) and
 * r ⊙ h (H).
 */
export function stepScratchLengthOf(kind: CellKind, hiddenSize: number): number {
  return (isGru(kind) ? 7 : gateCountOf(kind)) * hiddenSize;
}

/** True for both GRU variants. */
export function isGru(kind: CellKind): kind is 'gru' | 'gru-reset-before' {
  return kind === 'gru' || kind === 'gru-reset-before';
}
