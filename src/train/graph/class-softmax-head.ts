import { addColumnSumsInto, transposeInto, gemmNTInto } from '../../math/gemm.ts';
import type { GemmNT } from '../kernels/wasm-gemm.ts';
import type { ClassLayer } from '../trainable-model.ts';
import { largestClassSize, type OutputClasses } from '../output-classes.ts';
import type { HeadGraph } from './head-graph.ts';

/**
 * Factorized (class-based) softmax with cross-entropy:
 * −log P(w|h) = −log softmax(Z·h + z)[class(w)] − log softmax over the words
 * of class(w) of (V_m·h + b_m). Only the target's class's rows of the word
 * matrix V are touched, so a row costs C·H + |class|·H multiply-adds forward
 * and twice that backward instead of V·H. Memory: about 4·rows·(2·C + maxClass + H) bytes.
 */
export class ClassSoftmaxHeadGraph implements HeadGraph {
  private readonly gemm: GemmNT;
  private readonly hiddenSize: number;
  private readonly classes: OutputClasses;
  private readonly classLayer: ClassLayer;
  private readonly weight: Float32Array; // word rows V [vocab × H]
  private readonly bias: Float32Array; // [vocab]
  private readonly dWeight: Float32Array;
  private readonly dBias: Float32Array;
  private readonly maxClassSize: number;
  private readonly classProbabilities: Float32Array; // [rows × C]
  private readonly wordProbabilities: Float32Array; // [rows × maxClass], the target class's words in member order
  private readonly targets: Int32Array; // [rows]
  private readonly classProbabilitiesT: Float32Array; // [C × rows]
  private readonly inputT: Float32Array; // [H × rows]
  private readonly classWeightT: Float32Array; // [H × C]
  private input: Float32Array = new Float32Array(0);

  /** Holds the word head's and the class layer's arrays; allocates buffers for up to maxRows rows. */
  constructor(hiddenSize: number, maxRows: number, classLayer: ClassLayer, weight: Float32Array, bias: Float32Array, dWeight: Float32Array, dBias: Float32Array, gemm: GemmNT = gemmNTInto) {
    this.gemm = gemm;
    const C = classLayer.classes.classCount;
    this.hiddenSize = hiddenSize;
    this.classes = classLayer.classes;
    this.classLayer = classLayer;
    this.weight = weight;
    this.bias = bias;
    this.dWeight = dWeight;
    this.dBias = dBias;
    this.maxClassSize = largestClassSize(classLayer.classes);
    this.classProbabilities = new Float32Array(maxRows * C);
    this.wordProbabilities = new Float32Array(maxRows * this.maxClassSize);
    this.targets = new Int32Array(maxRows);
    this.classProbabilitiesT = new Float32Array(C * maxRows);
    this.inputT = new Float32Array(hiddenSize * maxRows);
    this.classWeightT = new Float32Array(hiddenSize * C);
  }

  forward(input: Float32Array, targets: Int32Array | Float32Array, rows: number): number {
    const H = this.hiddenSize;
    const C = this.classes.classCount;
    const { classOf, members, classStart } = this.classes;
    const q = this.classProbabilities;
    const p = this.wordProbabilities;
    const M = this.maxClassSize;
    const weight = this.weight;
    this.input = input;
    this.gemm(q, 0, C, input, 0, H, this.classLayer.weight, 0, H, rows, C, H, false);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const target = targets[r];
      this.targets[r] = target;
      const targetClass = classOf[target];
      loss += softmaxRowInPlace(q, r * C, C, this.classLayer.bias, targetClass);
      const start = classStart[targetClass];
      const size = classStart[targetClass + 1] - start;
      const h0 = r * H;
      let targetIndex = 0;
      for (let k = 0; k < size; k++) {
        const w = members[start + k];
        if (w === target) targetIndex = k;
        const w0 = w * H;
        let s = this.bias[w];
        for (let j = 0; j < H; j++) s += weight[w0 + j] * input[h0 + j];
        p[r * M + k] = s;
      }
      loss += softmaxRowInPlace(p, r * M, size, null, targetIndex);
    }
    return loss;
  }

  backward(dInput: Float32Array, rows: number, scale: number): void {
    const H = this.hiddenSize;
    const C = this.classes.classCount;
    const { classOf, members, classStart } = this.classes;
    const q = this.classProbabilities;
    const p = this.wordProbabilities;
    const M = this.maxClassSize;
    const input = this.input;
    const weight = this.weight;
    const dWeight = this.dWeight;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < C; c++) q[r * C + c] *= scale;
      q[r * C + classOf[this.targets[r]]] -= scale;
    }
    const layer = this.classLayer;
    addColumnSumsInto(layer.dBias, q, 0, C, rows, C);
    transposeInto(this.classProbabilitiesT, 0, rows, q, 0, C, rows, C);
    transposeInto(this.inputT, 0, rows, input, 0, H, rows, H);
    this.gemm(layer.dWeight, 0, H, this.classProbabilitiesT, 0, rows, this.inputT, 0, rows, C, H, rows, true);
    transposeInto(this.classWeightT, 0, C, layer.weight, 0, H, C, H);
    this.gemm(dInput, 0, H, q, 0, C, this.classWeightT, 0, C, rows, H, C, false);
    for (let r = 0; r < rows; r++) {
      const target = this.targets[r];
      const targetClass = classOf[target];
      const start = classStart[targetClass];
      const size = classStart[targetClass + 1] - start;
      const h0 = r * H;
      for (let k = 0; k < size; k++) {
        const w = members[start + k];
        const d = (p[r * M + k] - (w === target ? 1 : 0)) * scale;
        this.dBias[w] += d;
        const w0 = w * H;
        for (let j = 0; j < H; j++) {
          dWeight[w0 + j] += d * input[h0 + j];
          dInput[h0 + j] += d * weight[w0 + j];
        }
      }
    }
  }
}

/**
 * Adds bias (when given) to x[offset … offset+n), replaces the row by its
 * softmax and returns −log softmax[target]. No allocation.
 */
function softmaxRowInPlace(x: Float32Array, offset: number, n: number, bias: Float32Array | null, target: number): number {
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = bias === null ? x[offset + i] : x[offset + i] + bias[i];
    x[offset + i] = v;
    if (v > max) max = v;
  }
  const targetLogit = x[offset + target];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(x[offset + i] - max);
    x[offset + i] = e;
    sum += e;
  }
  const inverse = 1 / sum;
  for (let i = 0; i < n; i++) x[offset + i] *= inverse;
  return max + Math.log(sum) - targetLogit;
}
