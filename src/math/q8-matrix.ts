import type { WeightMatrix } from './matrix.ts';
import { q8MatVecBlockInto, q8MatVecInto } from './q8-matvec.ts';
import type { Q8MatVecKernel } from './wasm/q8-matvec-kernel.ts';

/**
 * A row-major int8 weight matrix with symmetric f32 scales: element (r, c)
 * is data[r·cols + c] · scales[r·blocksPerRow + floor(c / blockSize)].
 * blockSize = cols gives one scale per row (the library's default, see
 * docs/FORMAT.md for why); blockSize = 32 is GGML's Q8_0 layout with f32 scales.
 *
 * It computes straight from `data` and `scales` (plain typed arrays, so a
 * WebAssembly kernel can read them too): nothing is expanded to f32.
 * Memory: rows·cols + 4·rows·blocksPerRow bytes.
 */
export class Q8Matrix implements WeightMatrix {
  readonly dtype = 'q8';
  readonly rows: number;
  readonly cols: number;
  /** Columns that share one scale; ≥ cols means one scale per row. */
  readonly blockSize: number;
  /** ceil(cols / blockSize): scales per row. */
  readonly blocksPerRow: number;
  private storage: Int8Array;
  /** Elements between the starts of two rows in `storage`: cols, or more once a kernel's padded copy is adopted. */
  private stride: number;
  /** Scales [rows × blocksPerRow]; each is positive and finite in a loaded model. */
  readonly scales: Float32Array;
  /** The WebAssembly kernel holding these weights with `kernelBias`, once attached (see attachKernel). */
  private kernel: Q8MatVecKernel | null = null;
  private kernelBias: Float32Array | null = null;

  /** Holds (does not copy) data [rows × cols] and scales [rows × ceil(cols / blockSize)]. */
  constructor(rows: number, cols: number, data: Int8Array, scales: Float32Array, blockSize: number = cols) {
    if (!(Number.isInteger(blockSize) && blockSize > 0)) {
      throw new RangeError(`Q8Matrix: blockSize ${blockSize} must be a positive integer`);
    }
    const effectiveBlock = Math.min(blockSize, cols);
    const blocksPerRow = cols === 0 ? 0 : Math.ceil(cols / effectiveBlock);
    if (data.length !== rows * cols) {
      throw new RangeError(`Q8Matrix: data has ${data.length} elements, expected ${rows}×${cols}`);
    }
    if (scales.length !== rows * blocksPerRow) {
      throw new RangeError(`Q8Matrix: scales has ${scales.length} elements, expected ${rows}×${blocksPerRow}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.blockSize = effectiveBlock;
    this.blocksPerRow = blocksPerRow;
    this.storage = data;
    this.stride = cols;
    this.scales = scales;
  }

  /**
   * Quantized elements [rows × cols], row-major. Treat as read-only: a Model
   * is immutable. Free while the matrix holds its rows back to back; after a
   * kernel's padded copy was adopted (see {@link adoptStorage}) it is a fresh
   * compact copy each time (rows·cols bytes): for cold paths (saving, packing
   * a kernel), never a step.
   */
  get data(): Int8Array {
    const { rows, cols, stride, storage } = this;
    if (stride === cols) return storage;
    const compact = new Int8Array(rows * cols);
    for (let r = 0; r < rows; r++) compact.set(storage.subarray(r * stride, r * stride + cols), r * cols);
    return compact;
  }

  /**
   * Internal: makes the matrix read its elements from `same`, which must hold
   * the same values row-major with `rowStride` ≥ cols elements from one row's
   * start to the next (the columns past cols are ignored). The WebAssembly
   * kernels call it after copying the weights into their memory, rows padded
   * to 16 columns, so a model's weights are resident once, not twice.
   * Cold path; allocates nothing.
   */
  adoptStorage(same: Int8Array, rowStride: number = this.cols): void {
    const { rows, cols } = this;
    if (!(Number.isInteger(rowStride) && rowStride >= cols) || same.length < (rows > 0 ? (rows - 1) * rowStride + cols : 0)) {
      throw new RangeError(`Q8Matrix.adoptStorage: ${same.length} elements with rows ${rowStride} apart cannot hold ${rows}×${cols}`);
    }
    this.storage = same;
    this.stride = rowStride;
  }

  /**
   * Quantizes row-major f32 values [rows × cols]: per block, s = max|v| / 127
   * (rounded to f32) and q = v / s rounded half away from zero, so the largest
   * magnitude maps to ±127 and −128 is never used. An all-zero block gets
   * s = 1 (every q is 0), because a zero scale is invalid in a model file.
   * Cold path: allocates rows·cols bytes plus the scales.
   */
  static fromFloat32(rows: number, cols: number, values: Float32Array, blockSize: number = cols): Q8Matrix {
    if (values.length !== rows * cols) {
      throw new RangeError(`Q8Matrix.fromFloat32: ${values.length} values, expected ${rows}×${cols}`);
    }
    const block = Math.min(Math.max(1, Math.floor(blockSize)), Math.max(cols, 1));
    const blocksPerRow = cols === 0 ? 0 : Math.ceil(cols / block);
    const data = new Int8Array(rows * cols);
    const scales = new Float32Array(rows * blocksPerRow);
    for (let r = 0; r < rows; r++) {
      for (let b = 0; b < blocksPerRow; b++) {
        const start = r * cols + b * block;
        const end = Math.min(start + block, (r + 1) * cols);
        let maxAbs = 0;
        for (let i = start; i < end; i++) {
          const magnitude = Math.abs(values[i]);
          if (magnitude > maxAbs) maxAbs = magnitude;
        }
        const scale = maxAbs > 0 ? Math.fround(maxAbs / 127) : 1;
        scales[r * blocksPerRow + b] = scale;
        for (let i = start; i < end; i++) {
          const v = values[i] / scale;
          const q = v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
          // f32 rounding of the scale can put max|v|/s a hair above 127.
          data[i] = q > 127 ? 127 : q < -127 ? -127 : q;
        }
      }
    }
    return new Q8Matrix(rows, cols, data, scales, block);
  }

  /** Bytes the weights and scales take: rows·cols + 4·rows·blocksPerRow, or a little more once a padded copy is adopted. */
  get byteLength(): number {
    return this.storage.byteLength + this.scales.byteLength;
  }

  /**
   * Internal: from now on multiplyInto with this same bias array runs in the
   * given WebAssembly kernel (made from these weights by a session), so
   * callers outside a session (next-token prediction) get the fast path too;
   * and the matrix reads the kernel's row-major copy from then on (see
   * {@link adoptStorage}). Cold path.
   */
  attachKernel(kernel: Q8MatVecKernel, bias: Float32Array): void {
    this.adoptStorage(kernel.weight, kernel.weightRowStride);
    this.kernel = kernel;
    this.kernelBias = bias;
  }

  multiplyInto(out: Float32Array, x: Float32Array, xOffset: number, bias: Float32Array | null): Float32Array {
    if (this.kernel !== null && bias === this.kernelBias) return this.kernel.multiplyOffsetInto(out, x, xOffset);
    return q8MatVecInto(out, this.storage, this.scales, this.rows, this.cols, this.blockSize, x, xOffset, bias, this.stride);
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
    return q8MatVecBlockInto(out, outOffset, this.storage, this.scales, this.cols, this.blockSize, rowStart, rowCount, colStart, colCount, x, xOffset, this.stride);
  }

  rowInto(out: Float32Array, outOffset: number, row: number): Float32Array {
    const data = this.storage;
    const scales = this.scales;
    const cols = this.cols;
    const block = this.blockSize;
    const base = row * this.stride;
    const scaleBase = row * this.blocksPerRow;
    for (let b = 0, start = 0; start < cols; b++, start += block) {
      const scale = scales[scaleBase + b];
      const end = start + block < cols ? start + block : cols;
      for (let c = start; c < end; c++) out[outOffset + c] = data[base + c] * scale;
    }
    return out;
  }

  findNonFinite(): number {
    // int8 values are always finite, so only a scale can make an element non-finite.
    const scales = this.scales;
    for (let i = 0; i < scales.length; i++) {
      if (!Number.isFinite(scales[i])) {
        const row = Math.floor(i / this.blocksPerRow);
        return row * this.cols + (i % this.blocksPerRow) * this.blockSize;
      }
    }
    return -1;
  }

  /**
   * From the scales alone (|q| ≤ 128), not a pass over the data, and with
   * the largest column bound m for every column, because the WebAssembly
   * integer kernel quantizes x with one scale (max|x|) and its rounding can
   * lift any column towards m. Per row, the largest of:
   * 128·m·Σ_b s_b·len_b (the product itself), 128·m·blockSize (the WebAssembly
   * f32 kernel's block sums before their scale) and 2^31·Σ_b s_b (the integer
   * kernel's block sums stay below 2^31 before their scale; see q8Layout).
   * Cost: rows·blocksPerRow + cols operations.
   */
  rowBoundsInto(out: Float64Array, columnBounds: Float64Array): Float64Array {
    let m = 0;
    for (let c = 0; c < this.cols; c++) if (columnBounds[c] > m) m = columnBounds[c];
    const B = this.blocksPerRow;
    const lastLength = this.cols - (B - 1) * this.blockSize;
    const unscaled = 128 * m * this.blockSize;
    for (let r = 0; r < this.rows; r++) {
      let weighted = 0;
      let scaleSum = 0;
      for (let b = 0; b < B; b++) {
        const scale = Math.abs(this.scales[r * B + b]);
        weighted += scale * (b === B - 1 ? lastLength : this.blockSize);
        scaleSum += scale;
      }
      // Math.max keeps a NaN scale NaN, so a non-finite row is never hidden.
      out[r] = Math.max(128 * m * weighted, unscaled, 2 ** 31 * scaleSum);
    }
    return out;
  }

  /** 128 × the row's largest scale (|q| ≤ 128). Cost: rows·blocksPerRow operations. */
  rowMaxAbsInto(out: Float64Array): Float64Array {
    const B = this.blocksPerRow;
    for (let r = 0; r < this.rows; r++) {
      let max = 0;
      for (let b = 0; b < B; b++) max = Math.max(max, Math.abs(this.scales[r * B + b]));
      out[r] = 128 * max;
    }
    return out;
  }

  toFloat32(): Float32Array {
    const out = new Float32Array(this.rows * this.cols);
    for (let r = 0; r < this.rows; r++) this.rowInto(out, r * this.cols, r);
    return out;
  }
}
