import type { WeightMatrix } from './matrix.ts';
import { q4MatVecBlockInto, q4MatVecInto } from './q4-matvec.ts';
import type { Q4MatVecKernel } from './wasm/q4-matvec-kernel.ts';

/**
 * A 4-bit weight matrix with symmetric f32 scales per block of `blockSize`
 * columns (32 by default; q4 needs blocks, one scale per row loses too much):
 * element (r, c) is q(r, c) · scales[r·blocksPerRow + floor(c / blockSize)],
 * q a signed nibble (see q4MatVecInto for the packing: two per byte, low
 * nibble first, each row starting on a byte). Computes straight from the
 * packed bytes and scales; nothing is expanded to f32.
 * Memory: rows·ceil(cols / 2) + 4·rows·blocksPerRow bytes.
 */
export class Q4Matrix implements WeightMatrix {
  readonly dtype = 'q4';
  readonly rows: number;
  readonly cols: number;
  /** Columns that share one scale; even. */
  readonly blockSize: number;
  /** ceil(cols / blockSize): scales per row. */
  readonly blocksPerRow: number;
  private storage: Uint8Array;
  /** Bytes between the starts of two rows in `storage`: ceil(cols / 2), or more once a kernel's padded copy is adopted. */
  private stride: number;
  private scaleStorage: Float32Array;
  /** The WebAssembly kernel holding these weights with `kernelBias`, once attached (see attachKernel). */
  private kernel: Q4MatVecKernel | null = null;
  private kernelBias: Float32Array | null = null;

  /** Holds (does not copy) data [rows × ceil(cols / 2)] and scales [rows × ceil(cols / blockSize)]. blockSize must be even. */
  constructor(rows: number, cols: number, data: Uint8Array, scales: Float32Array, blockSize: number = 32) {
    if (!(Number.isInteger(blockSize) && blockSize > 0 && blockSize % 2 === 0)) {
      throw new RangeError(`Q4Matrix: blockSize ${blockSize} must be a positive even integer`);
    }
    const blocksPerRow = Math.ceil(cols / blockSize);
    if (data.length !== rows * ((cols + 1) >> 1)) {
      throw new RangeError(`Q4Matrix: data has ${data.length} bytes, expected ${rows}×${(cols + 1) >> 1}`);
    }
    if (scales.length !== rows * blocksPerRow) {
      throw new RangeError(`Q4Matrix: scales has ${scales.length} elements, expected ${rows}×${blocksPerRow}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.blockSize = blockSize;
    this.blocksPerRow = blocksPerRow;
    this.storage = data;
    this.stride = (cols + 1) >> 1;
    this.scaleStorage = scales;
  }

  /**
   * Packed nibbles [rows × ceil(cols / 2)]. Treat as read-only: a Model is
   * immutable. Free while the matrix holds its rows back to back; after a
   * kernel's padded copy was adopted (see {@link adoptStorage}) it is a fresh
   * compact copy each time: for cold paths (saving, packing a kernel), never a step.
   */
  get data(): Uint8Array {
    const { rows, stride, storage } = this;
    const rowBytes = (this.cols + 1) >> 1;
    if (stride === rowBytes) return storage;
    const compact = new Uint8Array(rows * rowBytes);
    for (let r = 0; r < rows; r++) compact.set(storage.subarray(r * stride, r * stride + rowBytes), r * rowBytes);
    return compact;
  }

  /** Scales [rows × blocksPerRow]; each positive and finite in a loaded model. */
  get scales(): Float32Array {
    return this.scaleStorage;
  }

  /** Internal: the nibbles as held, rows {@link dataRowStride} bytes apart (no copy, unlike `data`). */
  get storageView(): Uint8Array {
    return this.storage;
  }

  /** Bytes from one row of the nibbles this matrix reads to the next (see adoptStorage). */
  get dataRowStride(): number {
    return this.stride;
  }

  /**
   * Internal: makes the matrix read its nibbles from `same` (rows `rowStride`
   * ≥ ceil(cols / 2) bytes apart, the bytes past a row ignored) and its scales
   * from `sameScales`, which must hold the same values: the WebAssembly
   * kernels call it after copying the weights into their memory, so a
   * model's weights are resident once. Cold path; allocates nothing.
   */
  adoptStorage(same: Uint8Array, rowStride: number, sameScales: Float32Array): void {
    const { rows } = this;
    const rowBytes = (this.cols + 1) >> 1;
    if (!(Number.isInteger(rowStride) && rowStride >= rowBytes) || same.length < (rows > 0 ? (rows - 1) * rowStride + rowBytes : 0) || sameScales.length !== this.scaleStorage.length) {
      throw new RangeError(`Q4Matrix.adoptStorage: ${same.length} bytes with rows ${rowStride} apart and ${sameScales.length} scales cannot hold ${rows}×${this.cols}`);
    }
    this.storage = same;
    this.stride = rowStride;
    this.scaleStorage = sameScales;
  }

  /**
   * Internal: routes multiplyInto with this `bias` to the WebAssembly kernel
   * made from these weights, and reads the kernel's copy from then on (see
   * {@link adoptStorage}). Cold path.
   */
  attachKernel(kernel: Q4MatVecKernel, bias: Float32Array): void {
    this.adoptStorage(kernel.data, kernel.dataRowStride, kernel.scales);
    this.kernel = kernel;
    this.kernelBias = bias;
  }

  /**
   * Quantizes row-major f32 values [rows × cols]: per block, s = max|v| / 7
   * (rounded to f32) and q = v / s rounded half away from zero, in −7 … 7.
   * An all-zero block gets s = 1. Cold path: allocates the packed bytes and scales.
   */
  static fromFloat32(rows: number, cols: number, values: Float32Array, blockSize: number = 32): Q4Matrix {
    if (values.length !== rows * cols) throw new RangeError(`Q4Matrix.fromFloat32: ${values.length} values, expected ${rows}×${cols}`);
    const rowBytes = (cols + 1) >> 1;
    const blocksPerRow = Math.ceil(cols / blockSize);
    const data = new Uint8Array(rows * rowBytes);
    const scales = new Float32Array(rows * blocksPerRow);
    for (let r = 0; r < rows; r++) {
      for (let b = 0; b < blocksPerRow; b++) {
        const start = b * blockSize;
        const end = Math.min(start + blockSize, cols);
        let maxAbs = 0;
        for (let c = start; c < end; c++) maxAbs = Math.max(maxAbs, Math.abs(values[r * cols + c]));
        const scale = maxAbs > 0 ? Math.fround(maxAbs / 7) : 1;
        scales[r * blocksPerRow + b] = scale;
        for (let c = start; c < end; c++) {
          const v = values[r * cols + c] / scale;
          let q = v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
          q = q > 7 ? 7 : q < -7 ? -7 : q;
          const at = r * rowBytes + (c >> 1);
          data[at] |= (q & 15) << ((c & 1) * 4);
        }
      }
    }
    return new Q4Matrix(rows, cols, data, scales, blockSize);
  }

  get byteLength(): number {
    return this.rows * this.stride + this.scaleStorage.byteLength;
  }

  multiplyInto(out: Float32Array, x: Float32Array, xOffset: number, bias: Float32Array | null): Float32Array {
    if (this.kernel !== null && bias === this.kernelBias) return this.kernel.multiplyOffsetInto(out, x, xOffset);
    return q4MatVecInto(out, this.storage, this.scaleStorage, this.rows, this.cols, this.blockSize, x, xOffset, bias, this.stride);
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
    return q4MatVecBlockInto(out, outOffset, this.storage, this.scaleStorage, this.cols, this.blockSize, rowStart, rowCount, colStart, colCount, x, xOffset, this.stride);
  }

  rowInto(out: Float32Array, outOffset: number, row: number): Float32Array {
    const base = row * this.stride;
    const scaleBase = row * this.blocksPerRow;
    const data = this.storage;
    for (let b = 0, start = 0; start < this.cols; b++, start += this.blockSize) {
      const scale = this.scaleStorage[scaleBase + b];
      const end = Math.min(start + this.blockSize, this.cols);
      for (let c = start; c < end; c++) {
        const nibble = (data[base + (c >> 1)] >> ((c & 1) * 4)) & 15;
        out[outOffset + c] = ((nibble ^ 8) - 8) * scale;
      }
    }
    return out;
  }

  findNonFinite(): number {
    for (let i = 0; i < this.scales.length; i++) {
      if (!Number.isFinite(this.scales[i])) {
        return Math.floor(i / this.blocksPerRow) * this.cols + (i % this.blocksPerRow) * this.blockSize;
      }
    }
    return -1;
  }

  /**
   * From the scales alone (|q| ≤ 8), not a pass over the data, and with the
   * largest column bound m for every column (the WebAssembly integer kernel
   * quantizes x with one scale, max|x|, and its rounding can lift any column
   * towards m). Per row, the largest of: 8·m·Σ_b s_b·len_b (the product),
   * 8·m·blockSize (the WebAssembly f32 kernel's block sums before their
   * scale) and 2^31·Σ_b s_b (the integer kernel's block sums stay below 2^31
   * before their scale; see q4Layout).
   * Cost: rows·blocksPerRow + cols operations.
   */
  rowBoundsInto(out: Float64Array, columnBounds: Float64Array): Float64Array {
    let m = 0;
    for (let c = 0; c < this.cols; c++) if (columnBounds[c] > m) m = columnBounds[c];
    const B = this.blocksPerRow;
    const lastLength = this.cols - (B - 1) * this.blockSize;
    const unscaled = 8 * m * this.blockSize;
    for (let r = 0; r < this.rows; r++) {
      let weighted = 0;
      let scaleSum = 0;
      for (let b = 0; b < B; b++) {
        const scale = Math.abs(this.scales[r * B + b]);
        weighted += scale * (b === B - 1 ? lastLength : this.blockSize);
        scaleSum += scale;
      }
      // Math.max keeps a NaN scale NaN, so a non-finite row is never hidden.
      out[r] = Math.max(8 * m * weighted, unscaled, 2 ** 31 * scaleSum);
    }
    return out;
  }

  /** 8 × the row's largest scale (|q| ≤ 8). Cost: rows·blocksPerRow operations. */
  rowMaxAbsInto(out: Float64Array): Float64Array {
    const B = this.blocksPerRow;
    for (let r = 0; r < this.rows; r++) {
      let max = 0;
      for (let b = 0; b < B; b++) max = Math.max(max, Math.abs(this.scales[r * B + b]));
      out[r] = 8 * max;
    }
    return out;
  }

  toFloat32(): Float32Array {
    const out = new Float32Array(this.rows * this.cols);
    for (let r = 0; r < this.rows; r++) this.rowInto(out, r * this.cols, r);
    return out;
  }
}
