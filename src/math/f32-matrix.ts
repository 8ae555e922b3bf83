import type { WeightMatrix } from './matrix.ts';
import { matVecBlockInto, matVecInto } from './matvec.ts';
import type { MatVecKernel } from './wasm/matvec-kernel.ts';

/**
 * A row-major f32 weight matrix. Holds (does not copy) `data` [rows × cols].
 * Memory: 4·rows·cols bytes.
 */
export class F32Matrix implements WeightMatrix {
  readonly dtype = 'f32';
  readonly rows: number;
  readonly cols: number;
  private storage: Float32Array;
  /** The WebAssembly kernel holding these weights with `kernelBias`, once attached. */
  private kernel: MatVecKernel | null = null;
  private kernelBias: Float32Array | null = null;

  constructor(rows: number, cols: number, data: Float32Array) {
    if (data.length !== rows * cols) {
      throw new RangeError(`F32Matrix: data has ${data.length} elements, expected ${rows}×${cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.storage = data;
  }

  /** Row-major elements [rows × cols]. Treat as read-only: a Model is immutable. */
  get data(): Float32Array {
    return this.storage;
  }

  /**
   * Internal: makes `data` the given array, which must hold the same
   * [rows × cols] values. The WebAssembly kernels call it after copying the
   * weights into their memory, so a model's weights are resident once, not
   * twice. Cold path; allocates nothing.
   */
  adoptStorage(same: Float32Array): void {
    if (same.length !== this.storage.length) {
      throw new RangeError(`F32Matrix.adoptStorage: ${same.length} elements, expected ${this.storage.length}`);
    }
    this.storage = same;
  }

  /**
   * Internal: adopts a WebAssembly kernel's copy of these weights (see
   * {@link adoptStorage}); from then on multiplyInto with this same bias array
   * runs in the kernel, so callers outside a session (next-token prediction)
   * get the fast path too. Cold path.
   */
  attachKernel(kernel: MatVecKernel, bias: Float32Array): void {
    this.adoptStorage(kernel.weight);
    this.kernel = kernel;
    this.kernelBias = bias;
  }

  get byteLength(): number {
    return this.data.byteLength;
  }

  multiplyInto(out: Float32Array, x: Float32Array, xOffset: number, bias: Float32Array | null): Float32Array {
    const kernel = this.kernel;
    if (kernel !== null && bias === this.kernelBias) return kernel.multiplyOffsetInto(out, x, xOffset);
    return matVecInto(out, this.storage, this.rows, this.cols, x, xOffset, bias);
  }

  multiplyBlockInto(
    out: Float32Array,
    outOffset: number,
    x: Float32Array,
    xOffset: number,
    rowStart: number,
    rowCount: number,
    colStart: number,
    colCount: number,
  ): Float32Array {
    return matVecBlockInto(out, outOffset, this.storage, rowStart * this.cols + colStart, this.cols, rowCount, colCount, x, xOffset);
  }

  rowInto(out: Float32Array, outOffset: number, row: number): Float32Array {
    const data = this.data;
    const cols = this.cols;
    const base = row * cols;
    for (let c = 0; c < cols; c++) out[outOffset + c] = data[base + c];
    return out;
  }

  findNonFinite(): number {
    const data = this.data;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
    return -1;
  }

  /** Exact: Σ_c |W[r, c]|·columnBounds[c], which bounds every partial sum of the f32 kernels too. Cost: one pass over the weights. */
  rowBoundsInto(out: Float64Array, columnBounds: Float64Array): Float64Array {
    const data = this.data;
    const cols = this.cols;
    for (let r = 0; r < this.rows; r++) {
      const base = r * cols;
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += Math.abs(data[base + c]) * columnBounds[c];
      out[r] = sum;
    }
    return out;
  }

  /** Exact. Cost: one pass over the weights. */
  rowMaxAbsInto(out: Float64Array): Float64Array {
    const data = this.data;
    const cols = this.cols;
    for (let r = 0; r < this.rows; r++) {
      const base = r * cols;
      let max = 0;
      for (let c = 0; c < cols; c++) {
        const magnitude = Math.abs(data[base + c]);
        // NaN fails every comparison, so it is caught by its own test.
        if (magnitude > max || magnitude !== magnitude) max = magnitude;
        if (max !== max) break;
      }
      out[r] = max;
    }
    return out;
  }

  toFloat32(): Float32Array {
    return this.data.slice();
  }
}
