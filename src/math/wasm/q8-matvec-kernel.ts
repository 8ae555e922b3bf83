import { KernelArena } from './kernel-arena.ts';
import { packQ8, q8Layout, type Q8Layout } from './q8-packing.ts';

/** The int8 weights and scales of a Q8Matrix, as the kernels take them. */
export interface Q8Parts {
  readonly rows: number;
  readonly cols: number;
  readonly blockSize: number;
  readonly data: Int8Array;
  readonly scales: Float32Array;
}

/**
 * How the int8 kernels compute: 'integer' quantizes the activations to int16
 * per call (one scale for the vector) and multiplies in integers with
 * i32x4.dot_i16x8_s; 'float' widens the int8 weights to f32 and multiplies in
 * f32, exactly as the TypeScript Q8Matrix kernel does up to rounding.
 */
export type Q8KernelMode = 'integer' | 'float';

/**
 * A fixed int8 matrix with f32 scales and an f32 bias (a quantized output
 * layer) multiplied by the WebAssembly SIMD kernel. The weights are copied
 * row-major into the kernel's own memory (rows padded to 4, columns to 16),
 * with x, its int16 copy and out as scratch. The matrix adopts that copy
 * ({@link weight}, rows {@link weightRowStride} apart) so the weights are
 * held once.
 */
export class Q8MatVecKernel {
  readonly rows: number;
  readonly cols: number;
  readonly mode: Q8KernelMode;
  private readonly layout: Q8Layout;
  private readonly arena: KernelArena;
  private readonly weightOffset: number;
  private readonly scalesOffset: number;
  private readonly biasOffset: number;
  private readonly xOffset: number;
  private readonly xqOffset: number;
  private readonly outOffset: number;
  private readonly x: Float32Array;
  /** [rows] the kernel's output without the padding rows. */
  private readonly out: Float32Array;
  /** The weights [rows × cols] row-major in the kernel's memory, each row padded to {@link weightRowStride} elements. */
  readonly weight: Int8Array;
  /** Elements from one row of {@link weight} to the next: cols rounded up to a multiple of 16. */
  readonly weightRowStride: number;

  /** The kernel for a matrix, or null when its scale blocks are not multiples of 16 columns. Cold path. */
  static create(matrix: Q8Parts, bias: Float32Array | null, mode: Q8KernelMode): Q8MatVecKernel | null {
    const layout = q8Layout(matrix.rows, matrix.cols, matrix.blockSize);
    return layout === null ? null : new Q8MatVecKernel(matrix, layout, bias, mode);
  }

  private constructor(matrix: Q8Parts, layout: Q8Layout, bias: Float32Array | null, mode: Q8KernelMode) {
    const { paddedRows, paddedCols, blocksPerRow } = layout;
    this.rows = matrix.rows;
    this.cols = matrix.cols;
    this.mode = mode;
    this.layout = layout;
    this.arena = new KernelArena([paddedRows * paddedCols, 4 * paddedRows * blocksPerRow, 4 * paddedRows, 4 * paddedCols, 2 * paddedCols, 4 * paddedRows]);
    const w = this.arena.takeInt8(paddedRows * paddedCols);
    const scales = this.arena.takeFloat32(paddedRows * blocksPerRow);
    const b = this.arena.takeFloat32(paddedRows);
    const x = this.arena.takeFloat32(paddedCols);
    this.xqOffset = this.arena.takeBytes(2 * paddedCols);
    const out = this.arena.takeFloat32(paddedRows);
    packQ8(w.view, scales.view, layout, matrix.rows, matrix.cols, matrix.data, matrix.scales);
    if (bias !== null) b.view.set(bias);
    this.weightOffset = w.offset;
    this.scalesOffset = scales.offset;
    this.biasOffset = b.offset;
    this.xOffset = x.offset;
    this.outOffset = out.offset;
    this.weight = w.view.subarray(0, matrix.rows * paddedCols);
    this.weightRowStride = paddedCols;
    this.x = x.view.subarray(0, matrix.cols);
    this.out = out.view.subarray(0, matrix.rows);
  }

  /** Bytes of WebAssembly memory this kernel holds. */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /** out = bias + W·x; x has exactly `cols` elements. Returns out. Cost: rows·cols int8 multiply-adds in SIMD; no allocation. */
  multiplyInto(out: Float32Array, x: Float32Array): Float32Array {
    this.x.set(x);
    this.run();
    out.set(this.out);
    return out;
  }

  /** As {@link multiplyInto}, reading x[xOffset … xOffset + cols). No allocation. */
  multiplyOffsetInto(out: Float32Array, x: Float32Array, xOffset: number): Float32Array {
    const input = this.x;
    const cols = this.cols;
    for (let c = 0; c < cols; c++) input[c] = x[xOffset + c];
    this.run();
    out.set(this.out);
    return out;
  }

  private run(): void {
    const { paddedRows, subPerRow, subPerBlock, activationLimit } = this.layout;
    if (this.mode === 'integer') {
      this.arena.kernels.matvec_q8(
        this.weightOffset, this.scalesOffset, paddedRows, subPerRow, subPerBlock, this.xOffset, this.xqOffset, activationLimit, this.biasOffset, this.outOffset,
      );
    } else {
      this.arena.kernels.matvec_q8_float(
        this.weightOffset, this.scalesOffset, paddedRows, subPerRow, subPerBlock, this.xOffset, this.biasOffset, this.outOffset,
      );
    }
  }
}
