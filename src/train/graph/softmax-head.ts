import { addColumnSumsInto, transposeInto, gemmNTInto } from '../../math/gemm.ts';
import type { GemmNT, WasmGemm } from '../kernels/wasm-gemm.ts';
import type { HeadGraph } from './head-graph.ts';

/**
 * Full softmax with cross-entropy: logits = input · Vᵀ + b over the whole
 * vocabulary. Per row: V·H multiply-adds forward and 2·V·H backward, which
 * dominates a word model's cost (see ClassSoftmaxHeadGraph for the cheap one).
 * Given a WasmGemm's softmaxNTInto, the forward pass's bias, exp and
 * normalization run in the kernel's memory (SIMD exp) rather than here.
 * Memory: about 4·rows·V·2 + 4·V·H bytes.
 */
export class SoftmaxHeadGraph implements HeadGraph {
  private readonly gemm: GemmNT;
  /** The WebAssembly forward pass (product, bias, softmax, loss in the kernel's memory), or null: TypeScript's. */
  private readonly softmax: WasmGemm['softmaxNTInto'] | null;
  private readonly hiddenSize: number;
  private readonly outputSize: number;
  private readonly weight: Float32Array; // V [O × H]
  private readonly bias: Float32Array; // [O]
  private readonly dWeight: Float32Array;
  private readonly dBias: Float32Array;
  private readonly probabilities: Float32Array; // [rows × O] logits, then softmax, then dLogits
  private readonly targets: Int32Array; // [rows]
  private readonly probabilitiesT: Float32Array; // [O × rows]
  private readonly inputT: Float32Array; // [H × rows]
  private readonly weightT: Float32Array; // [H × O]
  private input: Float32Array = new Float32Array(0);
  /**
   * False when the weight is held fixed (dynamic evaluation adapting other
   * tensors): backward then skips ∂loss/∂V and transposes V once, not per call.
   */
  private readonly weightGradient: boolean;
  private weightTransposed = false;

  /** Holds the head's arrays; allocates buffers for up to maxRows rows. */
  constructor(
    hiddenSize: number,
    outputSize: number,
    maxRows: number,
    weight: Float32Array,
    bias: Float32Array,
    dWeight: Float32Array,
    dBias: Float32Array,
    gemm: GemmNT = gemmNTInto,
    weightGradient = true,
    softmax: WasmGemm['softmaxNTInto'] | null = null,
  ) {
    this.weightGradient = weightGradient;
    this.gemm = gemm;
    this.softmax = softmax;
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
    this.weight = weight;
    this.bias = bias;
    this.dWeight = dWeight;
    this.dBias = dBias;
    this.probabilities = new Float32Array(maxRows * outputSize);
    this.targets = new Int32Array(maxRows);
    this.probabilitiesT = new Float32Array(maxRows * outputSize);
    this.inputT = new Float32Array(hiddenSize * maxRows);
    this.weightT = new Float32Array(hiddenSize * outputSize);
  }

  forward(input: Float32Array, targets: Int32Array | Float32Array, rows: number): number {
    const O = this.outputSize;
    const H = this.hiddenSize;
    const p = this.probabilities;
    this.input = input;
    for (let r = 0; r < rows; r++) this.targets[r] = targets[r];
    if (this.softmax !== null) return this.softmax(p, input, this.weight, this.bias, this.targets, rows, O, H);
    this.gemm(p, 0, O, input, 0, H, this.weight, 0, H, rows, O, H, false);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * O;
      let max = -Infinity;
      for (let o = 0; o < O; o++) {
        const v = p[base + o] + this.bias[o];
        p[base + o] = v;
        if (v > max) max = v;
      }
      const target = this.targets[r];
      const targetLogit = p[base + target];
      let sum = 0;
      for (let o = 0; o < O; o++) {
        const e = Math.exp(p[base + o] - max);
        p[base + o] = e;
        sum += e;
      }
      // −log p[target] = lse − logit[target], from the logit so a tiny probability cannot underflow to log(0).
      loss += max + Math.log(sum) - targetLogit;
      const scale = 1 / sum;
      for (let o = 0; o < O; o++) p[base + o] *= scale;
    }
    return loss;
  }

  backward(dInput: Float32Array, rows: number, scale: number): void {
    const O = this.outputSize;
    const H = this.hiddenSize;
    const p = this.probabilities;
    for (let r = 0; r < rows; r++) {
      const base = r * O;
      for (let o = 0; o < O; o++) p[base + o] *= scale;
      p[base + this.targets[r]] -= scale;
    }
    addColumnSumsInto(this.dBias, p, 0, O, rows, O);
    if (this.weightGradient) {
      transposeInto(this.probabilitiesT, 0, rows, p, 0, O, rows, O);
      transposeInto(this.inputT, 0, rows, this.input, 0, H, rows, H);
      this.gemm(this.dWeight, 0, H, this.probabilitiesT, 0, rows, this.inputT, 0, rows, O, H, rows, true);
    }
    if (this.weightGradient || !this.weightTransposed) transposeInto(this.weightT, 0, O, this.weight, 0, H, O, H);
    this.weightTransposed = true;
    this.gemm(dInput, 0, H, p, 0, O, this.weightT, 0, O, rows, H, O, false);
  }
}
