import { addColumnSumsInto, transposeInto, gemmNTInto } from '../../math/gemm.ts';
import type { GemmNT } from '../kernels/wasm-gemm.ts';
import type { HeadGraph } from './head-graph.ts';

/**
 * Linear output with mean squared error: out = input · Vᵀ + b; a row's loss
 * is the mean over its O outputs of (out − target)², so a window's mean loss
 * equals PyTorch's MSELoss over all elements. Memory: about 4·rows·(2·O + H) bytes.
 */
export class LinearHeadGraph implements HeadGraph {
  private readonly gemm: GemmNT;
  private readonly hiddenSize: number;
  private readonly outputSize: number;
  private readonly weight: Float32Array; // [O × H]
  private readonly bias: Float32Array; // [O]
  private readonly dWeight: Float32Array;
  private readonly dBias: Float32Array;
  private readonly errors: Float32Array; // [rows × O] out − target, then dOut
  private readonly errorsT: Float32Array; // [O × rows]
  private readonly inputT: Float32Array; // [H × rows]
  private readonly weightT: Float32Array; // [H × O]
  private input: Float32Array = new Float32Array(0);

  /** Holds the head's arrays; allocates buffers for up to maxRows rows. */
  constructor(hiddenSize: number, outputSize: number, maxRows: number, weight: Float32Array, bias: Float32Array, dWeight: Float32Array, dBias: Float32Array, gemm: GemmNT = gemmNTInto) {
    this.gemm = gemm;
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
    this.weight = weight;
    this.bias = bias;
    this.dWeight = dWeight;
    this.dBias = dBias;
    this.errors = new Float32Array(maxRows * outputSize);
    this.errorsT = new Float32Array(maxRows * outputSize);
    this.inputT = new Float32Array(hiddenSize * maxRows);
    this.weightT = new Float32Array(hiddenSize * outputSize);
  }

  forward(input: Float32Array, targets: Int32Array | Float32Array, rows: number): number {
    const O = this.outputSize;
    const e = this.errors;
    this.input = input;
    this.gemm(e, 0, O, input, 0, this.hiddenSize, this.weight, 0, this.hiddenSize, rows, O, this.hiddenSize, false);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let o = 0; o < O; o++) {
        const d = e[r * O + o] + this.bias[o] - targets[r * O + o];
        e[r * O + o] = d;
        sum += d * d;
      }
      loss += sum / O;
    }
    return loss;
  }

  /** The last forward's outputs are not kept; this head only needs the errors. */
  backward(dInput: Float32Array, rows: number, scale: number): void {
    const O = this.outputSize;
    const H = this.hiddenSize;
    const e = this.errors;
    const factor = (2 * scale) / O;
    for (let i = 0; i < rows * O; i++) e[i] *= factor;
    addColumnSumsInto(this.dBias, e, 0, O, rows, O);
    transposeInto(this.errorsT, 0, rows, e, 0, O, rows, O);
    transposeInto(this.inputT, 0, rows, this.input, 0, H, rows, H);
    this.gemm(this.dWeight, 0, H, this.errorsT, 0, rows, this.inputT, 0, rows, O, H, rows, true);
    transposeInto(this.weightT, 0, O, this.weight, 0, H, O, H);
    this.gemm(dInput, 0, H, e, 0, O, this.weightT, 0, O, rows, H, O, false);
  }
}
