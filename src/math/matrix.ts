/**
 * A weight matrix as the hot path sees it. Each storage type (f32 here, the
 * quantized ones in their own files) computes from its own representation:
 * nothing is expanded to f32 at load.
 */
export interface WeightMatrix {
  /** Storage type of the elements. */
  readonly dtype: string;
  readonly rows: number;
  readonly cols: number;
  /** Bytes this matrix keeps resident (weights plus scales). */
  readonly byteLength: number;
  /**
   * out[r] = bias[r] + Σ_c W[r, c] · x[xOffset + c] for r < rows (bias may be null).
   * Reads `cols` elements of x from xOffset. Returns out. Allocates nothing.
   */
  multiplyInto(out: Float32Array, x: Float32Array, xOffset: number, bias: Float32Array | null): Float32Array;
  /**
   * The product of one block of the matrix, without bias:
   * out[outOffset + i] = Σ_{k < colCount} W[rowStart + i, colStart + k] · x[xOffset + k]
   * for i < rowCount. A GRU needs it: its input and hidden products stay
   * apart (r multiplies the hidden part of n), and its reset-before variant
   * multiplies the n rows by r ⊙ h instead of h. Returns out. Allocates nothing.
   */
  multiplyBlockInto(
    out: Float32Array,
    outOffset: number,
    x: Float32Array,
    xOffset: number,
    rowStart: number,
    rowCount: number,
    colStart: number,
    colCount: number,
  ): Float32Array;
  /** Writes row `row` as f32 into out[outOffset …outOffset + cols). Allocates nothing. */
  rowInto(out: Float32Array, outOffset: number, row: number): Float32Array;
  /** Index (row-major) of the first element that is NaN or ±Infinity, or -1. Cold path, no allocation. */
  findNonFinite(): number;
  /**
   * out[r] ≥ the largest |Σ_c W[r, c]·x[c]| over every x with |x[c]| ≤
   * columnBounds[c], and ≥ every partial sum this storage type's kernels
   * (TypeScript and WebAssembly) form on the way there; computed in f64,
   * where products of f32 values cannot overflow. NaN or ±Infinity in out[r]
   * when an element of row r is not finite, so the load-time overflow check
   * (model/weight-bounds.ts) finds non-finite weights in the same pass.
   * Returns out [rows]. Cold path, no allocation; each class states its cost.
   */
  rowBoundsInto(out: Float64Array, columnBounds: Float64Array): Float64Array;
  /**
   * out[r] ≥ max_c |W[r, c]| (NaN or ±Infinity when an element of row r is
   * not finite): the bound of an embedding row a step reads. Returns out
   * [rows]. Cold path, no allocation; each class states its cost.
   */
  rowMaxAbsInto(out: Float64Array): Float64Array;
  /** A fresh f32 copy of the whole matrix, row-major. Cold path: allocates rows·cols floats. */
  toFloat32(): Float32Array;
}
