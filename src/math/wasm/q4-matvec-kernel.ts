import { KernelArena } from './kernel-arena.ts';
import { packQ4, q4Layout, type Q4Layout, type Q4Parts } from './q4-packing.ts';
import type { Q8KernelMode } from './q8-matvec-kernel.ts';

/**
 * A fixed 4-bit matrix with f32 block scales and an f32 bias (a quantized
 * output layer) multiplied by the WebAssembly SIMD kernel. The nibbles and
 * scales are copied into the kernel's own memory (rows padded to 4 and to
 * 32 columns) with x, its de-interleaved and int16 copies and out as scratch;
 * the Q4Matrix adopts that copy ({@link data}, {@link scales}) so the weights
 * are held once. Mode as for int8 ('integer': activations quantized to int16;
 * 'float': weights widened to f32).
 */
export class Q4MatVecKernel {
  readonly rows: number;
  readonly cols: number;
  readonly mode: Q8KernelMode;
  /** The nibbles [rows × dataRowStride] row-major in the kernel's memory. */
  readonly data: Uint8Array;
  /** Bytes from one row of {@link data} to the next: cols rounded up to 32, halved. */
  readonly dataRowStride: number;
  /** The scales [rows × blocksPerRow] row-major in the kernel's memory. */
  readonly scales: Float32Array;
  private readonly layout: Q4Layout;
  private readonly arena: KernelArena;
  private readonly dataOffset: number;
  private readonly scalesOffset: number;
  private readonly biasOffset: number;
  private readonly xOffset: number;
  private readonly xdOffset: number;
  private readonly xqOffset: number;
  private readonly outOffset: number;
  private readonly x: Float32Array;
  private readonly out: Float32Array;

  /** The kernel for a matrix, or null when its scale blocks are not multiples of 32 columns. Cold path. */
  static create(matrix: Q4Parts, bias: Float32Array | null, mode: Q8KernelMode): Q4MatVecKernel | null {
    const layout = q4Layout(matrix.rows, matrix.cols, matrix.blockSize);
    return layout === null ? null : new Q4MatVecKernel(matrix, layout, bias, mode);
  }

  private constructor(matrix: Q4Parts, layout: Q4Layout, bias: Float32Array | null, mode: Q8KernelMode) {
    const { paddedRows, paddedCols, blocksPerRow } = layout;
    this.rows = matrix.rows;
    this.cols = matrix.cols;
    this.mode = mode;
    this.layout = layout;
    const rowBytes = paddedCols / 2;
    this.arena = new KernelArena([paddedRows * rowBytes, 4 * paddedRows * blocksPerRow, 4 * paddedRows, 4 * paddedCols, 4 * paddedCols, 2 * paddedCols, 4 * paddedRows]);
    const data = this.arena.takeUint8(paddedRows * rowBytes);
    const scales = this.arena.takeFloat32(paddedRows * blocksPerRow);
    const b = this.arena.takeFloat32(paddedRows);
    const x = this.arena.takeFloat32(paddedCols);
    this.xdOffset = this.arena.takeBytes(4 * paddedCols);
    this.xqOffset = this.arena.takeBytes(2 * paddedCols);
    const out = this.arena.takeFloat32(paddedRows);
    packQ4(data.view, scales.view, layout, matrix);
    if (bias !== null) b.view.set(bias);
    this.dataOffset = data.offset;
    this.scalesOffset = scales.offset;
    this.biasOffset = b.offset;
    this.xOffset = x.offset;
    this.outOffset = out.offset;
    this.data = data.view.subarray(0, matrix.rows * rowBytes);
    this.dataRowStride = rowBytes;
    this.scales = scales.view.subarray(0, matrix.rows * blocksPerRow);
    this.x = x.view.subarray(0, matrix.cols);
    this.out = out.view.subarray(0, matrix.rows);
  }

  /** Bytes of WebAssembly memory this kernel holds. */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /** out = bias + W·x; x has exactly `cols` elements. Returns out. Cost: rows·cols 4-bit multiply-adds in SIMD; no allocation. */
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
    const { paddedRows, chunks, chunkPerBlock, blocksPerRow, activationLimit } = this.layout;
    this.arena.kernels.matvec_q4(
      this.dataOffset, this.scalesOffset, paddedRows, chunks, chunkPerBlock, blocksPerRow,
      this.xOffset, this.xdOffset, this.xqOffset, activationLimit, this.mode === 'float' ? 1 : 0, this.biasOffset, this.outOffset,
    );
  }
}
