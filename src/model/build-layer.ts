import { hasGates, type CellKind, type GateActivation, type RecurrentCell } from '../cells/cell.ts';
import { ElmanCell } from '../cells/elman-cell.ts';
import { GruCell } from '../cells/gru-cell.ts';
import { LstmCell } from '../cells/lstm-cell.ts';
import { ErrorCode } from '../errors.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { ConfigError } from './errors.ts';

/** Per-layer settings of {@link createCell} besides the tensors. */
export interface CellOptions {
  /** The gate activation of an LSTM or GRU. Default 'sigmoid'; Elman cells take only that. */
  readonly gateActivation?: GateActivation;
}

/**
 * Makes the cell of a kind around a weight [gateCount·H × (I + H)] and bias
 * [biasLengthOf(kind, H)]. Holds, does not copy. Throws ConfigError
 * (INVALID_CONFIG) for a hard-sigmoid Elman cell, which has no gates.
 */
export function createCell(
  kind: CellKind,
  inputSize: number,
  hiddenSize: number,
  weight: WeightMatrix,
  bias: Float32Array,
  options: CellOptions = {},
): RecurrentCell {
  const gateActivation = options.gateActivation ?? 'sigmoid';
  if (kind === 'lstm') return new LstmCell(inputSize, hiddenSize, weight, bias, gateActivation);
  if (kind === 'gru' || kind === 'gru-reset-before') {
    return new GruCell(inputSize, hiddenSize, weight, bias, kind === 'gru' ? 'reset-after' : 'reset-before', gateActivation);
  }
  if (gateActivation !== 'sigmoid' && !hasGates(kind)) {
    throw new ConfigError(ErrorCode.INVALID_CONFIG, `a ${kind} layer has no gates, so its gate activation cannot be ${JSON.stringify(gateActivation)}`);
  }
  return new ElmanCell(inputSize, hiddenSize, weight, bias, kind === 'rnn-relu' ? 'relu' : 'tanh');
}
