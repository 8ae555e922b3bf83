import { gateSlope, hardSigmoid, sigmoid } from '../../math/activations.ts';
import type { GateActivation } from '../../cells/cell.ts';
import { addColumnSumsInto, gemmNTInto, transposeInto } from '../../math/gemm.ts';
import type { GemmNT, WasmGemm } from '../kernels/wasm-gemm.ts';

/**
 * One GRU layer (src/cells/gru-cell.ts: gate order r, z, n, weight
 * [3H × (I+H)] = [W_i | W_h], bias [6H] = [b_ih | b_hh]) unrolled over a
 * window of T steps for B parallel streams, with what backpropagation
 * through time needs kept: the gate activations r, z, n, the hidden product
 * u = W_h·h + b_hh (its n part u_n is what r multiplies in PyTorch's
 * variant), and for the reset-before variant q = r ⊙ h (what W_hn multiplies).
 * Weights are read from (and gradients accumulated into) the arrays it is
 * given; every buffer is allocated once here, sized for the largest window.
 *
 * Forward: the input product a = W_i·x is one GEMM over all T·B rows; the
 * hidden product runs step by step (reset before: the r, z rows on h, then
 * the n rows on r ⊙ h).
 * Backward, per step, with dh = ∂loss/∂h_t:
 *   dn = dh ⊙ (1 − z), dz = dh ⊙ (h_{t−1} − n), dâ_n = dn ⊙ (1 − n²)
 *   reset after:  dû_n = dâ_n ⊙ r,  dr = dâ_n ⊙ u_n
 *   reset before: dû_n = dâ_n,      dq = W_hnᵀ·dû_n, dr = dq ⊙ h_{t−1}
 *   dâ_r = dr ⊙ r(1 − r), dâ_z = dz ⊙ z(1 − z)
 *   dh_{t−1} = dh ⊙ z + W_hᵀ·[dâ_r, dâ_z, dû_n]  (reset before: W_hrzᵀ·[dâ_r, dâ_z] + dq ⊙ r)
 * where dâ = [dâ_r, dâ_z, dâ_n] is the input product's error and
 * dû = [dâ_r, dâ_z, dû_n] the hidden product's; dW_i, db_ih, db_hh, dW_h
 * and the input error are each one GEMM (or column sum) over the window.
 * Memory: about 4·T·B·(2·(I+H) + 14·H) bytes.
 */
export class GruLayerGraph {
  private readonly gemm: GemmNT;
  private readonly wasm: WasmGemm | null;
  readonly kind: 'gru' | 'gru-reset-before';
  /** Gates r and z through the hard sigmoid (their slope read back from the stored outputs) instead of σ. */
  private readonly hardGates: boolean;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly batchSize: number;
  readonly window: number;
  /** Carried hidden state [B × H]: the last step's h, the next window's start. */
  readonly h: Float32Array;
  /** No cell state: empty, so code written for LSTM layers carries nothing. */
  readonly c: Float32Array;
  /** h_t of every step [T × B × H]: this layer's output. */
  readonly output: Float32Array;

  private readonly resetAfter: boolean;
  private readonly weight: Float32Array; // [3H × (I+H)]
  private readonly bias: Float32Array; // [6H]: b_ih, b_hh
  private readonly dWeight: Float32Array; // [3H × (I+H)]
  private readonly dBiasInput: Float32Array; // [3H] view of dBias
  private readonly dBiasHidden: Float32Array; // [3H] view of dBias
  private readonly xh: Float32Array; // [T × B × (I+H)] input, then h_{t−1}
  private readonly gates: Float32Array; // [T × B × 3H] input product a, then the activations r, z, n
  private readonly hidden: Float32Array; // [T × B × 3H] hidden product u = W_h·(h or q) + b_hh
  private readonly resetHidden: Float32Array; // reset before: [T × B × H] q = r ⊙ h_{t−1}
  private readonly dInputGates: Float32Array; // [T × B × 3H] dâ
  private readonly dHiddenGates: Float32Array; // [T × B × 3H] dû
  private readonly dhNext: Float32Array; // [B × H]
  private readonly dResetHidden: Float32Array; // reset before: [B × H] dq
  private readonly weightT: Float32Array; // [(I+H) × 3H]
  private readonly dGatesT: Float32Array; // [3H × T·B]
  private readonly xhT: Float32Array; // [(I+H) × T·B]
  private readonly resetHiddenT: Float32Array; // reset before: [H × T·B]

  /** Holds (does not copy) the weight, bias and their gradient arrays. Allocates the window's buffers. */
  constructor(
    kind: 'gru' | 'gru-reset-before',
    inputSize: number,
    hiddenSize: number,
    batchSize: number,
    window: number,
    weight: Float32Array,
    bias: Float32Array,
    dWeight: Float32Array,
    dBias: Float32Array,
    wasm: WasmGemm | null = null,
    gateActivation: GateActivation = 'sigmoid',
  ) {
    this.wasm = wasm;
    this.hardGates = gateActivation === 'hard-sigmoid';
    this.gemm = wasm === null ? gemmNTInto : wasm.gemmNTInto;
    const H = hiddenSize;
    const K = inputSize + H;
    const rows = window * batchSize;
    this.kind = kind;
    this.resetAfter = kind === 'gru';
    this.inputSize = inputSize;
    this.hiddenSize = H;
    this.batchSize = batchSize;
    this.window = window;
    this.weight = weight;
    this.bias = bias;
    this.dWeight = dWeight;
    this.dBiasInput = dBias.subarray(0, 3 * H);
    this.dBiasHidden = dBias.subarray(3 * H, 6 * H);
    this.h = new Float32Array(batchSize * H);
    this.c = new Float32Array(0);
    this.output = new Float32Array(rows * H);
    this.xh = new Float32Array(rows * K);
    this.gates = new Float32Array(rows * 3 * H);
    this.hidden = new Float32Array(rows * 3 * H);
    const before = !this.resetAfter;
    this.resetHidden = new Float32Array(before ? rows * H : 0);
    this.dInputGates = new Float32Array(rows * 3 * H);
    this.dHiddenGates = new Float32Array(rows * 3 * H);
    this.dhNext = new Float32Array(batchSize * H);
    this.dResetHidden = new Float32Array(before ? batchSize * H : 0);
    this.weightT = new Float32Array(K * 3 * H);
    this.dGatesT = new Float32Array(3 * H * rows);
    this.xhT = new Float32Array(K * rows);
    this.resetHiddenT = new Float32Array(before ? H * rows : 0);
  }

  /** Zeroes the carried state (a new sequence starts). */
  resetState(): void {
    this.h.fill(0);
  }

  /**
   * Runs `steps` ≤ window steps on input [steps × B × I] (row stride I) from
   * the carried state, keeps the activations and advances the carried state.
   * Cost: steps·B·3H·(I+H) multiply-adds, no allocation.
   */
  forward(input: Float32Array, steps: number): void {
    const I = this.inputSize;
    const H = this.hiddenSize;
    const B = this.batchSize;
    const K = I + H;
    const G = 3 * H;
    const xh = this.xh;
    const rows = steps * B;
    for (let r = 0; r < rows; r++) xh.set(input.subarray(r * I, r * I + I), r * K);
    this.gemm(this.gates, 0, G, xh, 0, K, this.weight, 0, K, rows, G, I, false);
    // The hidden columns' r, z rows (all rows, reset after) are the b operand of every step: pack them once.
    const stepRows = this.resetAfter ? G : 2 * H;
    this.wasm?.pin(this.weight, I, K, stepRows, H);
    for (let t = 0; t < steps; t++) {
      const previous = t === 0 ? this.h : this.output;
      const previousOffset = t === 0 ? 0 : (t - 1) * B * H;
      for (let b = 0; b < B; b++) {
        xh.set(previous.subarray(previousOffset + b * H, previousOffset + (b + 1) * H), (t * B + b) * K + I);
      }
      this.gemm(this.hidden, t * B * G, G, xh, t * B * K + I, K, this.weight, I, K, B, stepRows, H, false);
      this.activations(t);
    }
    this.wasm?.unpin();
    const last = (steps - 1) * B * H;
    this.h.set(this.output.subarray(last, last + B * H));
  }

  /** Step t's gates and h from its products (biases added here, the activations written over a). */
  private activations(t: number): void {
    const I = this.inputSize;
    const H = this.hiddenSize;
    const B = this.batchSize;
    const K = I + H;
    const G = 3 * H;
    const gates = this.gates;
    const hard = this.hardGates;
    const hidden = this.hidden;
    const bias = this.bias;
    const xh = this.xh;
    if (!this.resetAfter) {
      // r first, then the n rows of the hidden product over q = r ⊙ h_{t−1}.
      const q = this.resetHidden;
      for (let b = 0; b < B; b++) {
        const g0 = (t * B + b) * G;
        const x0 = (t * B + b) * K + I;
        for (let j = 0; j < H; j++) {
          const u = hidden[g0 + j] + bias[G + j];
          hidden[g0 + j] = u;
          const r = hard ? hardSigmoid(gates[g0 + j] + bias[j] + u) : sigmoid(gates[g0 + j] + bias[j] + u);
          gates[g0 + j] = r;
          q[(t * B + b) * H + j] = r * xh[x0 + j];
        }
      }
      this.gemm(hidden, t * B * G + 2 * H, G, q, t * B * H, H, this.weight, 2 * H * K + I, K, B, H, H, false);
    }
    for (let b = 0; b < B; b++) {
      const g0 = (t * B + b) * G;
      const x0 = (t * B + b) * K + I;
      const o0 = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        let r: number;
        if (this.resetAfter) {
          const u = hidden[g0 + j] + bias[G + j];
          hidden[g0 + j] = u;
          r = hard ? hardSigmoid(gates[g0 + j] + bias[j] + u) : sigmoid(gates[g0 + j] + bias[j] + u);
          gates[g0 + j] = r;
        } else {
          r = gates[g0 + j];
        }
        const uz = hidden[g0 + H + j] + bias[G + H + j];
        hidden[g0 + H + j] = uz;
        const z = hard ? hardSigmoid(gates[g0 + H + j] + bias[H + j] + uz) : sigmoid(gates[g0 + H + j] + bias[H + j] + uz);
        const un = hidden[g0 + 2 * H + j] + bias[G + 2 * H + j];
        hidden[g0 + 2 * H + j] = un;
        const an = gates[g0 + 2 * H + j] + bias[2 * H + j];
        const n = Math.tanh(this.resetAfter ? an + r * un : an + un);
        gates[g0 + H + j] = z;
        gates[g0 + 2 * H + j] = n;
        this.output[o0 + j] = (1 - z) * n + z * xh[x0 + j];
      }
    }
  }

  /**
   * Backpropagates through the last forward window. dOutput [steps × B × H]
   * is ∂loss/∂h_t from above (read only); writes ∂loss/∂input into dInput
   * [steps × B × I] when given, and adds ∂loss/∂W, ∂loss/∂b into the
   * gradient arrays. The error into the carried-in state is dropped: that is
   * the truncation of truncated BPTT. Cost: about twice the forward's
   * multiply-adds, no allocation.
   */
  backward(dOutput: Float32Array, dInput: Float32Array | null, steps: number): void {
    const I = this.inputSize;
    const H = this.hiddenSize;
    const B = this.batchSize;
    const K = I + H;
    const G = 3 * H;
    const rows = steps * B;
    const dA = this.dInputGates;
    const dU = this.dHiddenGates;
    transposeInto(this.weightT, 0, G, this.weight, 0, K, G, K);
    this.dhNext.fill(0);
    // W_hᵀ (rows I … I+H of Wᵀ) is the b operand of the step's recurrent error: pack it once (all of it, or the r, z part).
    this.wasm?.pin(this.weightT, I * G, G, H, this.resetAfter ? G : 2 * H);
    for (let t = steps - 1; t >= 0; t--) {
      if (this.resetAfter) {
        this.gateErrorsResetAfter(dOutput, t);
        if (t > 0) this.gemm(this.dhNext, 0, H, dU, t * B * G, G, this.weightT, I * G, G, B, H, G, true);
      } else {
        this.gateErrorsResetBefore(dOutput, t);
        if (t > 0) this.gemm(this.dhNext, 0, H, dU, t * B * G, G, this.weightT, I * G, G, B, H, 2 * H, true);
      }
    }
    this.wasm?.unpin();
    if (dInput !== null) this.gemm(dInput, 0, I, dA, 0, G, this.weightT, 0, G, rows, I, G, false);
    // dW_i += dâᵀ·x and dW_h += dûᵀ·h_{t−1} (reset before: the n rows take q) over the window, on transposed copies.
    transposeInto(this.xhT, 0, rows, this.xh, 0, K, rows, K);
    transposeInto(this.dGatesT, 0, rows, dA, 0, G, rows, G);
    this.gemm(this.dWeight, 0, K, this.dGatesT, 0, rows, this.xhT, 0, rows, G, I, rows, true);
    addColumnSumsInto(this.dBiasInput, dA, 0, G, rows, G);
    transposeInto(this.dGatesT, 0, rows, dU, 0, G, rows, G);
    if (this.resetAfter) {
      this.gemm(this.dWeight, I, K, this.dGatesT, 0, rows, this.xhT, I * rows, rows, G, H, rows, true);
    } else {
      this.gemm(this.dWeight, I, K, this.dGatesT, 0, rows, this.xhT, I * rows, rows, 2 * H, H, rows, true);
      transposeInto(this.resetHiddenT, 0, rows, this.resetHidden, 0, H, rows, H);
      this.gemm(this.dWeight, 2 * H * K + I, K, this.dGatesT, 2 * H * rows, rows, this.resetHiddenT, 0, rows, H, H, rows, true);
    }
    addColumnSumsInto(this.dBiasHidden, dU, 0, G, rows, G);
  }

  /** Step t's dâ and dû (PyTorch's variant); dhNext becomes dh ⊙ z, the direct path to h_{t−1}. */
  private gateErrorsResetAfter(dOutput: Float32Array, t: number): void {
    const I = this.inputSize;
    const H = this.hiddenSize;
    const B = this.batchSize;
    const K = I + H;
    const G = 3 * H;
    const gates = this.gates;
    const hard = this.hardGates;
    const hidden = this.hidden;
    const xh = this.xh;
    const dA = this.dInputGates;
    const dU = this.dHiddenGates;
    const dhNext = this.dhNext;
    for (let b = 0; b < B; b++) {
      const g0 = (t * B + b) * G;
      const x0 = (t * B + b) * K + I;
      const o0 = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        const dh = dOutput[o0 + j] + dhNext[b * H + j];
        const r = gates[g0 + j];
        const z = gates[g0 + H + j];
        const n = gates[g0 + 2 * H + j];
        const hPrevious = xh[x0 + j];
        const dAn = dh * (1 - z) * (1 - n * n);
        const dAr = dAn * hidden[g0 + 2 * H + j] * gateSlope(r, hard);
        const dAz = dh * (hPrevious - n) * gateSlope(z, hard);
        dA[g0 + j] = dAr;
        dA[g0 + H + j] = dAz;
        dA[g0 + 2 * H + j] = dAn;
        dU[g0 + j] = dAr;
        dU[g0 + H + j] = dAz;
        dU[g0 + 2 * H + j] = dAn * r;
        dhNext[b * H + j] = dh * z;
      }
    }
  }

  /** Step t's dâ and dû (reset-before variant): dq = W_hnᵀ·dû_n between two element-wise passes. */
  private gateErrorsResetBefore(dOutput: Float32Array, t: number): void {
    const I = this.inputSize;
    const H = this.hiddenSize;
    const B = this.batchSize;
    const K = I + H;
    const G = 3 * H;
    const gates = this.gates;
    const hard = this.hardGates;
    const xh = this.xh;
    const dA = this.dInputGates;
    const dU = this.dHiddenGates;
    const dhNext = this.dhNext;
    const dq = this.dResetHidden;
    for (let b = 0; b < B; b++) {
      const g0 = (t * B + b) * G;
      const x0 = (t * B + b) * K + I;
      const o0 = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        const dh = dOutput[o0 + j] + dhNext[b * H + j];
        const z = gates[g0 + H + j];
        const n = gates[g0 + 2 * H + j];
        const dAn = dh * (1 - z) * (1 - n * n);
        const dAz = dh * (xh[x0 + j] - n) * gateSlope(z, hard);
        dA[g0 + H + j] = dAz;
        dA[g0 + 2 * H + j] = dAn;
        dU[g0 + H + j] = dAz;
        dU[g0 + 2 * H + j] = dAn;
        dhNext[b * H + j] = dh * z;
      }
    }
    // dq [B × H] = dû_n · W_hn: b operand W_hnᵀ, rows I … I+H and columns 2H … 3H of Wᵀ.
    this.gemm(dq, 0, H, dU, t * B * G + 2 * H, G, this.weightT, I * G + 2 * H, G, B, H, H, false);
    for (let b = 0; b < B; b++) {
      const g0 = (t * B + b) * G;
      const x0 = (t * B + b) * K + I;
      for (let j = 0; j < H; j++) {
        const r = gates[g0 + j];
        const dqj = dq[b * H + j];
        const dAr = dqj * xh[x0 + j] * gateSlope(r, hard);
        dA[g0 + j] = dAr;
        dU[g0 + j] = dAr;
        dhNext[b * H + j] += dqj * r;
      }
    }
  }
}
