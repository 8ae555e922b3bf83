import { RELU_CEILING } from '../math/activations.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import type { RecurrentCell } from './cell.ts';
import { checkCellShapes } from './lstm-cell.ts';

/**
 * The plain (Elman) RNN layer in its classic form:
 *
 *   s_t = U·x_t + W·h_{t-1} + b,   h_t = f(s_t),   f = tanh or ReLU
 *
 * ReLU is capped at RELU_CEILING (2^64), so h stays finite however the
 * recurrence grows.
 *
 * U [H × I] and W [H × H] are fused side by side into one matrix [U | W] of
 * shape [H × (I + H)], so one pass over [x; h] computes s_t.
 * Step cost: H·(I + H) multiply-adds plus H activations; no allocation.
 */
export class ElmanCell implements RecurrentCell {
  readonly kind: 'rnn-tanh' | 'rnn-relu';
  readonly gateCount = 1;
  /** Elman cells have no gates: always the default. */
  readonly gateActivation = 'sigmoid';
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly weight: WeightMatrix;
  readonly bias: Float32Array;

  /** Holds (does not copy) weight [H × (I + H)] = [U | W] and bias [H]. */
  constructor(
    inputSize: number,
    hiddenSize: number,
    weight: WeightMatrix,
    bias: Float32Array,
    activation: 'tanh' | 'relu' = 'tanh',
  ) {
    checkCellShapes('ElmanCell', 1, inputSize, hiddenSize, weight, bias);
    this.kind = activation === 'relu' ? 'rnn-relu' : 'rnn-tanh';
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.weight = weight;
    this.bias = bias;
  }

  stepInto(h: Float32Array, _c: Float32Array | null, xh: Float32Array, gates: Float32Array): Float32Array {
    const H = this.hiddenSize;
    // s_t goes to scratch, not straight into h, so h never holds a
    // pre-activation value that a reader of session.h could observe.
    this.weight.multiplyInto(gates, xh, 0, this.bias);
    if (this.kind === 'rnn-relu') {
      // Capped at RELU_CEILING (see there): the load-time overflow check
      // counts on it, and the WebAssembly kernel caps the same way. NaN goes to 0.
      for (let j = 0; j < H; j++) {
        const s = gates[j];
        h[j] = s > 0 ? (s < RELU_CEILING ? s : RELU_CEILING) : 0;
      }
    } else {
      for (let j = 0; j < H; j++) h[j] = Math.tanh(gates[j]);
    }
    return h;
  }
}
