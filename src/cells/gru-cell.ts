import { hardSigmoid, sigmoid } from '../math/activations.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import type { GateActivation, RecurrentCell } from './cell.ts';
import { checkCellShapes, checkGateActivation } from './lstm-cell.ts';

/** Where a GRU applies its reset gate: to the hidden product (PyTorch) or to h before it (Keras's reset_after=False). */
export type GruVariant = 'reset-after' | 'reset-before';

/**
 * A GRU layer with PyTorch's gate order r, z, n. The weight W [3H × (I + H)]
 * stacks three blocks of H rows, each row [W_i·[r] | W_h·[r]], and the bias
 * [6H] is b_ih [3H] followed by b_hh [3H], both in the order r, z, n:
 *
 *   rows [0, H)   r  reset gate    r = σ(W_ir·x + b_ir + W_hr·h + b_hr)
 *   rows [H, 2H)  z  update gate   z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
 *   rows [2H, 3H) n  candidate     reset-after:  n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))
 *                                  reset-before: n = tanh(W_in·x + b_in + W_hn·(r ⊙ h) + b_hn)
 *
 *   h' = (1 − z) ⊙ n + z ⊙ h
 *
 * σ is the gate activation: the logistic sigmoid, or the hard sigmoid
 * clip(0.2·x + 0.5, 0, 1) (TensorFlow.js's default).
 *
 * The input and hidden products stay apart (two column blocks of one
 * matrix) because r multiplies the hidden part of n, and b_hn stays apart
 * from b_in for the same reason. This r, z, n order is the one the whole
 * library uses (model files, kernels, importers); ONNX's and Keras's z, r, h
 * order is converted on import. h stays in [−1, 1]: h' is a convex mix of
 * n ∈ [−1, 1] and h.
 * Step cost: 3H·(I + H) multiply-adds plus 3H transcendentals; no allocation.
 */
export class GruCell implements RecurrentCell {
  readonly kind: 'gru' | 'gru-reset-before';
  readonly gateCount = 3;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly weight: WeightMatrix;
  readonly bias: Float32Array;
  /** True for PyTorch's variant (kind `gru`), false for `gru-reset-before`. */
  readonly resetAfter: boolean;
  readonly gateActivation: GateActivation;
  private readonly hardGates: boolean;

  /** Holds (does not copy) weight [3H × (I + H)] and bias [6H] = [b_ih | b_hh]. */
  constructor(
    inputSize: number,
    hiddenSize: number,
    weight: WeightMatrix,
    bias: Float32Array,
    variant: GruVariant = 'reset-after',
    gateActivation: GateActivation = 'sigmoid',
  ) {
    checkCellShapes('GruCell', 3, inputSize, hiddenSize, weight, bias, 6 * hiddenSize);
    checkGateActivation('GruCell', gateActivation);
    this.gateActivation = gateActivation;
    this.hardGates = gateActivation === 'hard-sigmoid';
    this.kind = variant === 'reset-before' ? 'gru-reset-before' : 'gru';
    this.resetAfter = variant !== 'reset-before';
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.weight = weight;
    this.bias = bias;
  }

  /**
   * `gates` [7H] scratch: [0, 3H) the input product W_i·x, [3H, 6H) the
   * hidden product (W_hr·h, W_hz·h, then W_hn·h or W_hn·(r ⊙ h)), [6H, 7H)
   * r ⊙ h (reset-before only).
   */
  stepInto(h: Float32Array, _c: Float32Array | null, xh: Float32Array, gates: Float32Array): Float32Array {
    const H = this.hiddenSize;
    const I = this.inputSize;
    const W = this.weight;
    const b = this.bias;
    const hidden = 3 * H; // where the hidden product and b_hh start
    const hard = this.hardGates;
    W.multiplyBlockInto(gates, 0, xh, 0, 0, 3 * H, 0, I);
    if (this.resetAfter) {
      W.multiplyBlockInto(gates, hidden, xh, I, 0, 3 * H, I, H);
      for (let j = 0; j < H; j++) {
        const preR = gates[j] + b[j] + (gates[hidden + j] + b[hidden + j]);
        const preZ = gates[H + j] + b[H + j] + (gates[hidden + H + j] + b[hidden + H + j]);
        const r = hard ? hardSigmoid(preR) : sigmoid(preR);
        const z = hard ? hardSigmoid(preZ) : sigmoid(preZ);
        const n = Math.tanh(gates[2 * H + j] + b[2 * H + j] + r * (gates[hidden + 2 * H + j] + b[hidden + 2 * H + j]));
        h[j] = (1 - z) * n + z * xh[I + j];
      }
      return h;
    }
    // Reset before: r first, then the n rows of the hidden product over r ⊙ h.
    const resetHidden = 6 * H;
    W.multiplyBlockInto(gates, hidden, xh, I, 0, 2 * H, I, H);
    for (let j = 0; j < H; j++) {
      const preR = gates[j] + b[j] + (gates[hidden + j] + b[hidden + j]);
      gates[resetHidden + j] = (hard ? hardSigmoid(preR) : sigmoid(preR)) * xh[I + j];
    }
    W.multiplyBlockInto(gates, hidden + 2 * H, gates, resetHidden, 2 * H, H, I, H);
    for (let j = 0; j < H; j++) {
      const preZ = gates[H + j] + b[H + j] + (gates[hidden + H + j] + b[hidden + H + j]);
      const z = hard ? hardSigmoid(preZ) : sigmoid(preZ);
      const n = Math.tanh(gates[2 * H + j] + b[2 * H + j] + (gates[hidden + 2 * H + j] + b[hidden + 2 * H + j]));
      h[j] = (1 - z) * n + z * xh[I + j];
    }
    return h;
  }
}
