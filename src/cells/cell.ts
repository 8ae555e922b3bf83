import type { WeightMatrix } from '../math/matrix.ts';

/** The recurrent cell kinds: LSTM, and the Elman RNN with tanh or ReLU. */
export type CellKind = 'lstm' | 'rnn-tanh' | 'rnn-relu';

/** The cell kinds, for validation and messages. */
export const CELL_KINDS: readonly CellKind[] = ['lstm', 'rnn-tanh', 'rnn-relu'];

/**
 * One recurrent layer: a fused weight matrix over the concatenated input and
 * previous hidden state, and one step that writes the new state in place.
 */
export interface RecurrentCell {
  readonly kind: CellKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** Rows per hidden unit in the fused matrix: 4 for LSTM, 1 for Elman. */
  readonly gateCount: number;
  /** Fused weights [gateCount·H × (I + H)], row-major: row r is [W_ih[r] | W_hh[r]]. */
  readonly weight: WeightMatrix;
  /** Fused bias [gateCount·H]: PyTorch's b_ih + b_hh. */
  readonly bias: Float32Array;
  /**
   * Advances one step. `xh` [I + H] holds the layer input followed by the
   * previous h; `h` [H] and `c` [H] (LSTM only; null otherwise) are updated in
   * place; `gates` [gateCount·H] is scratch. Returns h. Allocates nothing.
   */
  stepInto(h: Float32Array, c: Float32Array | null, xh: Float32Array, gates: Float32Array): Float32Array;
}

/** Number of gate blocks in the fused matrix of a cell kind. */
export function gateCountOf(kind: CellKind): number {
  return kind === 'lstm' ? 4 : 1;
}
