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
  // Rows grouped by target class, so each class's word product is one GEMM:
  private readonly order: Int32Array; // [rows] row indices sorted by target class
  private readonly groupStart: Int32Array; // [C + 1] offsets into order
  private readonly gatheredInput: Float32Array; // [rows × H] input rows in group order
  private readonly gatheredWords: Float32Array; // [maxClass × H] the current class's word rows
  private readonly groupProducts: Float32Array; // [rows × maxClass] logits, then dLogits, of one group
  private readonly groupProductsT: Float32Array; // [maxClass × rows]
  private readonly gatheredInputT: Float32Array; // [H × rows]
  private readonly gatheredWordsT: Float32Array; // [H × maxClass]
  private readonly groupWordGradient: Float32Array; // [maxClass × H]
  private readonly groupInputGradient: Float32Array; // [rows × H]
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
    const M = this.maxClassSize;
    this.order = new Int32Array(maxRows);
    this.groupStart = new Int32Array(C + 1);
    this.gatheredInput = new Float32Array(maxRows * hiddenSize);
    this.gatheredWords = new Float32Array(M * hiddenSize);
    this.groupProducts = new Float32Array(maxRows * M);
    this.groupProductsT = new Float32Array(M * maxRows);
    this.gatheredInputT = new Float32Array(hiddenSize * maxRows);
    this.gatheredWordsT = new Float32Array(hiddenSize * M);
    this.groupWordGradient = new Float32Array(M * hiddenSize);
    this.groupInputGradient = new Float32Array(maxRows * hiddenSize);
  }

  forward(input: Float32Array, targets: Int32Array | Float32Array, rows: number): number {
    const H = this.hiddenSize;
    const C = this.classes.classCount;
    const { classOf, members, classStart } = this.classes;
    const q = this.classProbabilities;
    const p = this.wordProbabilities;
    const M = this.maxClassSize;
    this.input = input;
    this.gemm(q, 0, C, input, 0, H, this.classLayer.weight, 0, H, rows, C, H, false);
    let loss = 0;
    for (let r = 0; r < rows; r++) {
      const target = targets[r];
      this.targets[r] = target;
      loss += softmaxRowInPlace(q, r * C, C, this.classLayer.bias, classOf[target]);
    }
    this.groupRows(rows);
    const order = this.order;
    const gathered = this.gatheredInput;
    const products = this.groupProducts;
    for (let g = 0; g < rows; g++) gathered.set(input.subarray(order[g] * H, order[g] * H + H), g * H);
    for (let c = 0; c < C; c++) {
      const first = this.groupStart[c];
      const n = this.groupStart[c + 1] - first;
      if (n === 0) continue;
      const start = classStart[c];
      const size = classStart[c + 1] - start;
      this.gatherWords(c);
      this.gemm(products, 0, size, gathered, first * H, H, this.gatheredWords, 0, H, n, size, H, false);
      for (let i = 0; i < n; i++) {
        const r = order[first + i];
        const target = this.targets[r];
        let targetIndex = 0;
        for (let k = 0; k < size; k++) {
          const w = members[start + k];
          if (w === target) targetIndex = k;
          p[r * M + k] = products[i * size + k] + this.bias[w];
        }
        loss += softmaxRowInPlace(p, r * M, size, null, targetIndex);
      }
    }
    return loss;
  }

  /** Counting sort of the rows by their target's class into order / groupStart. */
  private groupRows(rows: number): void {
    const C = this.classes.classCount;
    const classOf = this.classes.classOf;
    const start = this.groupStart;
    start.fill(0);
    for (let r = 0; r < rows; r++) start[classOf[this.targets[r]] + 1]++;
    for (let c = 0; c < C; c++) start[c + 1] += start[c];
    // groupStart doubles as the fill cursor, then is shifted back.
    for (let r = 0; r < rows; r++) this.order[start[classOf[this.targets[r]]]++] = r;
    for (let c = C; c > 0; c--) start[c] = start[c - 1];
    start[0] = 0;
  }

  /** Copies class c's word rows of the head into gatheredWords [|c| × H]. */
  private gatherWords(c: number): void {
    const H = this.hiddenSize;
    const { members, classStart } = this.classes;
    const start = classStart[c];
    const size = classStart[c + 1] - start;
    for (let k = 0; k < size; k++) {
      const w0 = members[start + k] * H;
      this.gatheredWords.set(this.weight.subarray(w0, w0 + H), k * H);
    }
  }

  backward(dInput: Float32Array, rows: number, scale: number): void {
    const H = this.hiddenSize;
    const C = this.classes.classCount;
    const { classOf, members, classStart } = this.classes;
    const q = this.classProbabilities;
    const p = this.wordProbabilities;
    const M = this.maxClassSize;
    const input = this.input;
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
    const order = this.order;
    const gathered = this.gatheredInput;
    const products = this.groupProducts;
    for (let c = 0; c < C; c++) {
      const first = this.groupStart[c];
      const n = this.groupStart[c + 1] - first;
      if (n === 0) continue;
      const start = classStart[c];
      const size = classStart[c + 1] - start;
      // dLogits of the group [n × |c|].
      for (let i = 0; i < n; i++) {
        const r = order[first + i];
        const target = this.targets[r];
        for (let k = 0; k < size; k++) {
          const w = members[start + k];
          const d = (p[r * M + k] - (w === target ? 1 : 0)) * scale;
          products[i * size + k] = d;
          this.dBias[w] += d;
        }
      }
      // dW_c += dLogitsᵀ · h_group, then scattered to the class's word rows.
      transposeInto(this.groupProductsT, 0, n, products, 0, size, n, size);
      transposeInto(this.gatheredInputT, 0, n, gathered, first * H, H, n, H);
      this.gemm(this.groupWordGradient, 0, H, this.groupProductsT, 0, n, this.gatheredInputT, 0, n, size, H, n, false);
      for (let k = 0; k < size; k++) {
        const w0 = members[start + k] * H;
        for (let j = 0; j < H; j++) dWeight[w0 + j] += this.groupWordGradient[k * H + j];
      }
      // dh_group = dLogits · W_c, then added to each row's input gradient.
      this.gatherWords(c);
      transposeInto(this.gatheredWordsT, 0, size, this.gatheredWords, 0, H, size, H);
      this.gemm(this.groupInputGradient, 0, H, products, 0, size, this.gatheredWordsT, 0, size, n, H, size, false);
      for (let i = 0; i < n; i++) {
        const h0 = order[first + i] * H;
        for (let j = 0; j < H; j++) dInput[h0 + j] += this.groupInputGradient[i * H + j];
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
