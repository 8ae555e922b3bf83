import { KernelArena } from './kernel-arena.ts';

/**
 * A fixed f32 matrix and bias (an output layer) multiplied by the WebAssembly
 * SIMD kernel. Weights [rows × cols] and bias [rows] live once in its own
 * memory, with x [cols] and out [rows] scratch shared by every caller.
 * Memory: 4·(rows·cols + 2·rows + cols) bytes, rounded up to 64 KiB.
 */
export class MatVecKernel {
  readonly rows: number;
  readonly cols: number;
  /** The weights as the kernel reads them: a view of its memory, row-major [rows × cols]. */
  readonly weight: Float32Array;
  private readonly arena: KernelArena;
  private readonly weightOffset: number;
  private readonly biasOffset: number;
  private readonly xOffset: number;
  private readonly outOffset: number;
  private readonly x: Float32Array;
  private readonly out: Float32Array;
  private readonly bias: Float32Array;

  /** Copies weight [rows × cols] and bias [rows] (null: zeros) into a new memory. Cold path. */
  constructor(rows: number, cols: number, weight: Float32Array, bias: Float32Array | null) {
    this.rows = rows;
    this.cols = cols;
    this.arena = new KernelArena([4 * rows * cols, 4 * rows, 4 * cols, 4 * rows]);
    const w = this.arena.takeFloat32(rows * cols);
    const b = this.arena.takeFloat32(rows);
    const x = this.arena.takeFloat32(cols);
    const out = this.arena.takeFloat32(rows);
    w.view.set(weight);
    if (bias !== null) b.view.set(bias);
    this.weight = w.view;
    this.weightOffset = w.offset;
    this.biasOffset = b.offset;
    this.xOffset = x.offset;
    this.outOffset = out.offset;
    this.x = x.view;
    this.out = out.view;
    this.bias = b.view;
  }

  /** Copies a new bias [rows] in (a model adapted while it runs). No allocation. */
  setBias(bias: Float32Array): void {
    this.bias.set(bias);
  }

  /** Bytes of WebAssembly memory this kernel holds. */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /** out[r] = bias[r] + Σ_c W[r, c]·x[c]; x has exactly `cols` elements. Returns out. Cost: rows·cols multiply-adds in SIMD; no allocation. */
  multiplyInto(out: Float32Array, x: Float32Array): Float32Array {
    this.x.set(x);
    this.arena.kernels.matvec(this.weightOffset, this.rows, this.cols, this.xOffset, this.biasOffset, this.outOffset);
    out.set(this.out);
    return out;
  }

  /**
   * As {@link multiplyInto} over the first `rows` rows only (0 ≤ rows ≤ this.rows):
   * out[r] for r < rows. For a matrix filled a row at a time (a cache of
   * states written into {@link weight}). Cost: rows·cols multiply-adds; no allocation.
   */
  multiplyRowsInto(out: Float32Array, x: Float32Array, rows: number): Float32Array {
    this.x.set(x);
    this.arena.kernels.matvec(this.weightOffset, rows, this.cols, this.xOffset, this.biasOffset, this.outOffset);
    for (let r = 0; r < rows; r++) out[r] = this.out[r];
    return out;
  }

  /** As {@link multiplyInto}, reading x[xOffset … xOffset + cols). No allocation. */
  multiplyOffsetInto(out: Float32Array, x: Float32Array, xOffset: number): Float32Array {
    const input = this.x;
    const cols = this.cols;
    for (let c = 0; c < cols; c++) input[c] = x[xOffset + c];
    this.arena.kernels.matvec(this.weightOffset, this.rows, this.cols, this.xOffset, this.biasOffset, this.outOffset);
    out.set(this.out);
    return out;
  }
}
