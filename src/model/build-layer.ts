import type { CellKind, RecurrentCell } from '../cells/cell.ts';
import { ElmanCell } from '../cells/elman-cell.ts';
import { LstmCell } from '../cells/lstm-cell.ts';
import type { WeightMatrix } from '../math/matrix.ts';

/** Makes the cell of a kind around a fused weight [gateCount·H × (I + H)] and bias. Holds, does not copy. */
export function createCell(
  kind: CellKind,
  inputSize: number,
  hiddenSize: number,
  weight: WeightMatrix,
  bias: Float32Array,
): RecurrentCell {
  if (kind === 'lstm') return new LstmCell(inputSize, hiddenSize, weight, bias);
  return new ElmanCell(inputSize, hiddenSize, weight, bias, kind === 'rnn-relu' ? 'relu' : 'tanh');
}
