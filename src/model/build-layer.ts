import type { CellKind, RecurrentCell } from '../cells/cell.ts';
import { ElmanCell } from '../cells/elman-cell.ts';
import { GruCell } from '../cells/gru-cell.ts';
import { LstmCell } from '../cells/lstm-cell.ts';
import type { WeightMatrix } from '../math/matrix.ts';

/**
 * Makes the cell of a kind around a weight [gateCount·H × (I + H)] and bias
 * [biasLengthOf(kind, H)]. Holds, does not copy.
 */
export function createCell(
  kind: CellKind,
  inputSize: number,
  hiddenSize: number,
  weight: WeightMatrix,
  bias: Float32Array,
): RecurrentCell {
  if (kind === 'lstm') return new LstmCell(inputSize, hiddenSize, weight, bias);
  if (kind === 'gru' || kind === 'gru-reset-before') {
    return new GruCell(inputSize, hiddenSize, weight, bias, kind === 'gru' ? 'reset-after' : 'reset-before');
  }
  return new ElmanCell(inputSize, hiddenSize, weight, bias, kind === 'rnn-relu' ? 'relu' : 'tanh');
}
