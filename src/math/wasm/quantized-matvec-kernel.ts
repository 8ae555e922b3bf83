import type { KernelArena } from './kernel-arena.ts';
import type { Q8KernelMode } from './q8-matvec-kernel.ts';

/**
 * What the int8 and 4-bit output-layer kernels share: the arena holding the
 * weights and scratch, x copied in, one kernel call (`run`, the subclass's),
 * out copied back. Subclasses lay out the weights and pass their x [cols]
 * and out [rows] views of the arena.
 */
export abstract class QuantizedMatVecKernel {
  readonly rows: number;
  readonly cols: number;
  readonly mode: Q8KernelMode;
  protected readonly arena: KernelArena;
  private readonly x: Float32Array;
  /** [rows] the kernel's output without the padding rows. */
  private readonly out: Float32Array;

  protected constructor(rows: number, cols: number, mode: Q8KernelMode, arena: KernelArena, x: Float32Array, out: Float32Array) {
    this.rows = rows;
    this.cols = cols;
    this.mode = mode;
    this.arena = arena;
    this.x = x;
    this.out = out;
  }

  /** Bytes of WebAssembly memory this kernel holds. */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /** out = bias + W·x; x has exactly `cols` elements. Returns out. Cost: rows·cols quantized multiply-adds in SIMD; no allocation. */
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

  /** One kernel call: the arena's out = bias + W·(the arena's x). */
  protected abstract run(): void;
}
