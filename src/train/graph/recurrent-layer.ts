import type { CellKind, GateActivation } from '../../cells/cell.ts';
import { gateCountOf } from '../../cells/cell.ts';
import { gateSlope, hardSigmoid, sigmoid } from '../../math/activations.ts';
import { addColumnSumsInto, transposeInto, gemmNTInto } from '../../math/gemm.ts';
import type { GemmNT, WasmGemm } from '../kernels/wasm-gemm.ts';

/**
 * One recurrent layer unrolled over a window of T steps for B parallel
 * streams, with the activations kept for backpropagation through time.
 * Weights are read from (and gradients accumulated into) the arrays it is
 * given; every buffer is allocated once here, sized for the largest window.
 *
 * Forward: the input half of the gate pre-activations is one GEMM over all
 * T·B rows; only the recurrent half (B × H · Wₕᵀ) runs step by step.
 * Backward: the recurrent error dh_{t-1} = dGates_t · Wₕ runs step by step;
 * the input error, dW and db are each one GEMM over the window.
 * Memory: about 4·T·B·(2·(I+H) + 3·G·H + 3·H) bytes.
 */
export class RecurrentLayerGraph {
  private readonly gemm: GemmNT;
  private readonly wasm: WasmGemm | null;
  readonly kind: CellKind;
  /** LSTM gates i, f, o through the hard sigmoid (their slope read back from the stored outputs) instead of σ. */
  private readonly hardGates: boolean;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly batchSize: number;
  readonly window: number;
  /** Carried hidden state [B × H]: the last step's h, the next window's start. */
  readonly h: Float32Array;
  /** Carried LSTM cell state [B × H]; empty for Elman layers. */
  readonly c: Float32Array;
  /** h_t of every step [T × B × H]: this layer's output. */
  readonly output: Float32Array;

  private readonly gateRows: number; // G·H
  private readonly weight: Float32Array; // [G·H × (I+H)]
  private readonly bias: Float32Array; // [G·H]
  private readonly dWeight: Float32Array; // [G·H × (I+H)]
  private readonly dBias: Float32Array; // [G·H]
  private readonly xh: Float32Array; // [T × B × (I+H)] input, then previous h
  private readonly gates: Float32Array; // [T × B × G·H] pre-activations, then activations
  private readonly cells: Float32Array; // LSTM: [(T+1) × B × H], row block 0 = carried-in C
  private readonly tanhCells: Float32Array; // LSTM: [T × B × H]
  private readonly dGates: Float32Array; // [T × B × G·H]
  private readonly dhNext: Float32Array; // [B × H]
  private readonly dcNext: Float32Array; // [B × H]
  private readonly weightT: Float32Array; // [(I+H) × G·H]
  private readonly dGatesT: Float32Array; // [G·H × T·B]
  private readonly xhT: Float32Array; // [(I+H) × T·B]
  /** Recurrent (variational) dropout mask [B × H], 0 or 1/(1 − p), for this window; null: none. */
  private recurrentMask: Float32Array | null = null;

  /** Holds (does not copy) the weight, bias and their gradient arrays. Allocates the window's buffers. */
  constructor(
    kind: CellKind,
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
    const G = gateCountOf(kind);
    const H = hiddenSize;
    const K = inputSize + H;
    const rows = window * batchSize;
    this.kind = kind;
    this.inputSize = inputSize;
    this.hiddenSize = H;
    this.batchSize = batchSize;
    this.window = window;
    this.gateRows = G * H;
    this.weight = weight;
    this.bias = bias;
    this.dWeight = dWeight;
    this.dBias = dBias;
    this.h = new Float32Array(batchSize * H);
    this.c = new Float32Array(kind === 'lstm' ? batchSize * H : 0);
    this.output = new Float32Array(rows * H);
    this.xh = new Float32Array(rows * K);
    this.gates = new Float32Array(rows * G * H);
    this.cells = new Float32Array(kind === 'lstm' ? (window + 1) * batchSize * H : 0);
    this.tanhCells = new Float32Array(kind === 'lstm' ? rows * H : 0);
    this.dGates = new Float32Array(rows * G * H);
    this.dhNext = new Float32Array(batchSize * H);
    this.dcNext = new Float32Array(kind === 'lstm' ? batchSize * H : 0);
    this.weightT = new Float32Array(K * G * H);
    this.dGatesT = new Float32Array(G * H * rows);
    this.xhT = new Float32Array(K * rows);
  }

  /**
   * Sets the mask [B × H] (0 or 1/(1 − p) per stream and unit) that the next
   * forward and backward apply to h_{t−1} where it enters the recurrent
   * product, the same at every step of the window (Gal & Ghahramani's
   * variational dropout on the recurrent connections): the carried h itself
   * and the layer's output stay undropped. null: no recurrent dropout (held,
   * not copied).
   */
  setRecurrentMask(mask: Float32Array | null): void {
    if (mask !== null && mask.length !== this.batchSize * this.hiddenSize) {
      throw new RangeError(`recurrent mask of ${mask.length} values for ${this.batchSize} streams × ${this.hiddenSize} units`);
    }
    this.recurrentMask = mask;
  }

  /** Zeroes the carried state (a new sequence starts). */
  resetState(): void {
    this.h.fill(0);
    this.c.fill(0);
  }

  /**
   * Runs `steps` ≤ window steps on input [steps × B × I] (row stride I) from
   * the carried state, keeps the activations and advances the carried state.
   * Cost: steps·B·G·H·(I+H) multiply-adds, no allocation.
   */
  forward(input: Float32Array, steps: number): void {
    const I = this.inputSize;
    const H = this.hiddenSize;
    const B = this.batchSize;
    const K = I + H;
    const GH = this.gateRows;
    const xh = this.xh;
    const gates = this.gates;
    const rows = steps * B;
    for (let r = 0; r < rows; r++) xh.set(input.subarray(r * I, r * I + I), r * K);
    this.gemm(gates, 0, GH, xh, 0, K, this.weight, 0, K, rows, GH, I, false);
    const lstm = this.kind === 'lstm';
    const mask = this.recurrentMask;
    if (lstm) this.cells.set(this.c, 0);
    // The recurrent half of W is the b operand of every step: pack it into the wasm kernel once.
    this.wasm?.pin(this.weight, I, K, GH, H);
    for (let t = 0; t < steps; t++) {
      const previous = t === 0 ? this.h : this.output;
      const previousOffset = t === 0 ? 0 : (t - 1) * B * H;
      for (let b = 0; b < B; b++) {
        xh.set(previous.subarray(previousOffset + b * H, previousOffset + (b + 1) * H), (t * B + b) * K + I);
      }
      if (mask !== null) {
        for (let b = 0; b < B; b++) {
          const row = (t * B + b) * K + I;
          for (let j = 0; j < H; j++) xh[row + j] *= mask[b * H + j];
        }
      }
      this.gemm(gates, t * B * GH, GH, xh, t * B * K + I, K, this.weight, I, K, B, GH, H, true);
      if (lstm) this.lstmActivations(t);
      else this.elmanActivations(t);
    }
    this.wasm?.unpin();
    const last = (steps - 1) * B * H;
    this.h.set(this.output.subarray(last, last + B * H));
    if (lstm) this.c.set(this.cells.subarray(steps * B * H, (steps + 1) * B * H));
  }

  private lstmActivations(t: number): void {
    const H = this.hiddenSize;
    const B = this.batchSize;
    const GH = this.gateRows;
    const gates = this.gates;
    const bias = this.bias;
    const cells = this.cells;
    const hard = this.hardGates;
    for (let b = 0; b < B; b++) {
      const g0 = (t * B + b) * GH;
      const c0 = (t * B + b) * H; // previous C in cells, new C at + B·H
      const cNew = c0 + B * H;
      for (let j = 0; j < H; j++) {
        const inputGate = hard ? hardSigmoid(gates[g0 + j] + bias[j]) : sigmoid(gates[g0 + j] + bias[j]);
        const forgetGate = hard ? hardSigmoid(gates[g0 + H + j] + bias[H + j]) : sigmoid(gates[g0 + H + j] + bias[H + j]);
        const candidate = Math.tanh(gates[g0 + 2 * H + j] + bias[2 * H + j]);
        const outputGate = hard ? hardSigmoid(gates[g0 + 3 * H + j] + bias[3 * H + j]) : sigmoid(gates[g0 + 3 * H + j] + bias[3 * H + j]);
        gates[g0 + j] = inputGate;
        gates[g0 + H + j] = forgetGate;
        gates[g0 + 2 * H + j] = candidate;
        gates[g0 + 3 * H + j] = outputGate;
        const c = forgetGate * cells[c0 + j] + inputGate * candidate;
        cells[cNew + j] = c;
        const tanhC = Math.tanh(c);
        this.tanhCells[c0 + j] = tanhC;
        this.output[c0 + j] = outputGate * tanhC;
      }
    }
  }

  private elmanActivations(t: number): void {
    const H = this.hiddenSize;
    const B = this.batchSize;
    const gates = this.gates;
    const bias = this.bias;
    const output = this.output;
    const relu = this.kind === 'rnn-relu';
    for (let r = t * B * H, end = (t + 1) * B * H; r < end; r++) {
      const s = gates[r] + bias[r % H];
      const value = relu ? (s > 0 ? s : 0) : Math.tanh(s);
      gates[r] = value;
      output[r] = value;
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
    const GH = this.gateRows;
    const rows = steps * B;
    const dGates = this.dGates;
    const dhNext = this.dhNext;
    transposeInto(this.weightT, 0, GH, this.weight, 0, K, GH, K);
    dhNext.fill(0);
    this.dcNext.fill(0);
    const lstm = this.kind === 'lstm';
    const mask = this.recurrentMask;
    this.wasm?.pin(this.weightT, I * GH, GH, H, GH);
    for (let t = steps - 1; t >= 0; t--) {
      if (lstm) this.lstmGateErrors(dOutput, t);
      else this.elmanGateErrors(dOutput, t);
      if (t > 0) {
        this.gemm(dhNext, 0, H, dGates, t * B * GH, GH, this.weightT, I * GH, GH, B, H, GH, false);
        // h_{t−1} entered the product through the mask: so does its error.
        if (mask !== null) for (let i = 0; i < B * H; i++) dhNext[i] *= mask[i];
      }
    }
    this.wasm?.unpin();
    if (dInput !== null) this.gemm(dInput, 0, I, dGates, 0, GH, this.weightT, 0, GH, rows, I, GH, false);
    // dW += dGatesᵀ · xh over the whole window, as one dot-product GEMM on transposed copies.
    transposeInto(this.dGatesT, 0, rows, dGates, 0, GH, rows, GH);
    transposeInto(this.xhT, 0, rows, this.xh, 0, K, rows, K);
    this.gemm(this.dWeight, 0, K, this.dGatesT, 0, rows, this.xhT, 0, rows, GH, K, rows, true);
    addColumnSumsInto(this.dBias, dGates, 0, GH, rows, GH);
  }

  private lstmGateErrors(dOutput: Float32Array, t: number): void {
    const H = this.hiddenSize;
    const B = this.batchSize;
    const GH = this.gateRows;
    const gates = this.gates;
    const cells = this.cells;
    const tanhCells = this.tanhCells;
    const dGates = this.dGates;
    const dhNext = this.dhNext;
    const dcNext = this.dcNext;
    const hard = this.hardGates;
    for (let b = 0; b < B; b++) {
      const g0 = (t * B + b) * GH;
      const s0 = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        const dh = dOutput[s0 + j] + dhNext[b * H + j];
        const inputGate = gates[g0 + j];
        const forgetGate = gates[g0 + H + j];
        const candidate = gates[g0 + 2 * H + j];
        const outputGate = gates[g0 + 3 * H + j];
        const tanhC = tanhCells[s0 + j];
        const dc = dcNext[b * H + j] + dh * outputGate * (1 - tanhC * tanhC);
        dGates[g0 + j] = dc * candidate * gateSlope(inputGate, hard);
        dGates[g0 + H + j] = dc * cells[s0 + j] * gateSlope(forgetGate, hard);
        dGates[g0 + 2 * H + j] = dc * inputGate * (1 - candidate * candidate);
        dGates[g0 + 3 * H + j] = dh * tanhC * gateSlope(outputGate, hard);
        dcNext[b * H + j] = dc * forgetGate;
      }
    }
  }

  private elmanGateErrors(dOutput: Float32Array, t: number): void {
    const H = this.hiddenSize;
    const B = this.batchSize;
    const output = this.output;
    const dGates = this.dGates;
    const dhNext = this.dhNext;
    const relu = this.kind === 'rnn-relu';
    const s0 = t * B * H;
    for (let r = 0; r < B * H; r++) {
      const dh = dOutput[s0 + r] + dhNext[r];
      const h = output[s0 + r];
      dGates[s0 + r] = relu ? (h > 0 ? dh : 0) : dh * (1 - h * h);
    }
  }
}
