import { GEMM_RELAXED_WASM_BASE64, GEMM_WASM_BASE64 } from './gemm-wasm-bytes.ts';
import type { gemmNTInto } from '../../math/gemm.ts';

/** The signature every GEMM kernel of the trainer shares: gemmNTInto's (src/math/gemm.ts). */
export type GemmNT = typeof gemmNTInto;

// (module (func (result v128) i32.const 0 i32x4.splat)): validates only where 128-bit SIMD exists.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b,
]);

/** Which module a WasmGemm runs: gemm.wat's f32x4 multiply then add, or the same loop with relaxed SIMD's fused multiply-add. */
export type WasmGemmKind = 'simd' | 'relaxed-simd';

/**
 * gemmNTInto on WebAssembly 128-bit SIMD (gemm.wat): the operands are copied
 * into the instance's memory (rows padded to a multiple of 4 with zeros),
 * multiplied there with f32x4 sums, and the result is copied (or added) back.
 * The copies cost O(m·k + n·k + m·n) against the product's O(m·n·k).
 * Sums are f32 (the TypeScript kernel sums in f64), so results differ in the
 * last bits. Where the runtime has relaxed SIMD (V8 from 11.4: Node 22,
 * Deno, Chrome; Node 20 with --experimental-wasm-relaxed-simd) the fused
 * multiply-add module runs, faster on the trainer's output-layer products
 * (bench/train-gemm-kernels.ts); whether it rounds once (fused) or twice per
 * multiply-add is the CPU's choice, so a run is deterministic on one machine
 * but not bit-equal across kinds or machines. One instance per NetworkGraph;
 * memory grows to the largest product.
 */
export class WasmGemm {
  private readonly instance: WebAssembly.Instance;
  private readonly memory: WebAssembly.Memory;
  private readonly run: (a: number, b: number, out: number, m: number, n: number, k: number) => void;
  private readonly softmaxRows: (x: number, bias: number, rows: number, n: number, stride: number, stats: number) => void;
  private heap: Float32Array;
  /** The same memory as f64, for softmax_rows' per-row statistics. */
  private heap64: Float64Array;
  // A b operand kept packed at the start of memory across calls (see pin).
  private pinned: { b: Float32Array; bOffset: number; ldb: number; n: number; k: number } | null = null;
  private pinnedFloats = 0;

  private constructor(
    module: WebAssembly.Module,
    /** The module this instance runs. */
    readonly kind: WasmGemmKind,
  ) {
    this.instance = new WebAssembly.Instance(module, {});
    const exports = this.instance.exports as { memory: WebAssembly.Memory; gemm_nt: WasmGemm['run']; softmax_rows: WasmGemm['softmaxRows'] };
    this.memory = exports.memory;
    this.run = exports.gemm_nt;
    this.softmaxRows = exports.softmax_rows;
    this.heap = new Float32Array(this.memory.buffer);
    this.heap64 = new Float64Array(this.memory.buffer);
  }

  /**
   * A kernel instance: the relaxed-SIMD module where the runtime validates it
   * (unless `kind` asks for plain 'simd'), else the plain one; null where
   * WebAssembly SIMD is missing (or `kind` 'relaxed-simd' is), so the caller
   * uses the TypeScript kernel. Cold path: compiles a module of about 1.5 KB.
   */
  static create(kind?: WasmGemmKind): WasmGemm | null {
    try {
      if (typeof WebAssembly !== 'object' || !WebAssembly.validate(SIMD_PROBE)) return null;
      if (kind !== 'simd') {
        const relaxed = decodeBase64(GEMM_RELAXED_WASM_BASE64);
        if (WebAssembly.validate(relaxed)) return new WasmGemm(new WebAssembly.Module(relaxed), 'relaxed-simd');
        if (kind === 'relaxed-simd') return null;
      }
      return new WasmGemm(new WebAssembly.Module(decodeBase64(GEMM_WASM_BASE64)), 'simd');
    } catch {
      return null;
    }
  }

  /**
   * Packs the b operand [n × k] (at bOffset, row stride ldb) once and keeps
   * it in the kernel's memory: until {@link unpin}, a call with this same b
   * block skips copying it. The caller promises not to change those values
   * meanwhile (a recurrent layer pins its weights for the steps of a window).
   */
  pin(b: Float32Array, bOffset: number, ldb: number, n: number, k: number): void {
    const k4 = (k + 3) & ~3;
    const n4 = (n + 3) & ~3;
    this.pinned = null;
    this.pinnedFloats = 0;
    this.reserve(n4 * k4);
    packRows(this.heap, 0, b, bOffset, ldb, n, n4, k, k4);
    this.pinned = { b, bOffset, ldb, n, k };
    this.pinnedFloats = n4 * k4;
  }

  /** Forgets the pinned operand. */
  unpin(): void {
    this.pinned = null;
    this.pinnedFloats = 0;
  }

  private reserve(floats: number): void {
    if (floats * 4 > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((floats * 4 - this.memory.buffer.byteLength) / 65536));
      this.heap = new Float32Array(this.memory.buffer);
      this.heap64 = new Float64Array(this.memory.buffer);
    }
  }

  /** Same contract as gemmNTInto. Allocates only when the memory must grow (cold, once per new largest size). */
  readonly gemmNTInto: GemmNT = (out, outOffset, ldOut, a, aOffset, lda, b, bOffset, ldb, m, n, k, accumulate) => {
    const outStart = this.multiply(a, aOffset, lda, b, bOffset, ldb, m, n, k, 0);
    const n4 = (n + 3) & ~3;
    const heap = this.heap;
    for (let i = 0; i < m; i++) {
      const source = outStart + i * n4;
      const target = outOffset + i * ldOut;
      if (accumulate) for (let j = 0; j < n; j++) out[target + j] += heap[source + j];
      else out.set(heap.subarray(source, source + n), target);
    }
    return out;
  };

  /**
   * The output layer's forward pass with cross-entropy: out [m × n] (rows
   * contiguous) = softmax(a · bᵀ + bias) row by row, with a [m × k] and
   * b [n × k] contiguous; returns Σ over rows of −log out[r, targets[r]],
   * from the logits (log-sum-exp − logit) so a tiny probability cannot
   * underflow to log 0. The product as gemmNTInto, then bias, exp and
   * normalization in the kernel's memory with the SIMD exp (about 1 ulp):
   * one copy back instead of JavaScript's Math.exp per logit. Allocates only
   * when the memory must grow.
   */
  readonly softmaxNTInto = (out: Float32Array, a: Float32Array, b: Float32Array, bias: Float32Array, targets: Int32Array, m: number, n: number, k: number): number => {
    const n4 = (n + 3) & ~3;
    const m2 = (m + 1) & ~1;
    // Behind the product: the bias [n4], one float to reach an 8-byte boundary, then the rows'
    // (max, Σe) as f64 pairs: 4 floats a row.
    const outStart = this.multiply(a, 0, k, b, 0, k, m, n, k, n4 + 1 + 4 * m);
    const biasStart = outStart + m2 * n4;
    const statsStart = (biasStart + n4 + 1) & ~1;
    const heap = this.heap;
    heap.set(bias.subarray(0, n), biasStart);
    let loss = 0;
    for (let r = 0; r < m; r++) loss -= Math.fround(heap[outStart + r * n4 + targets[r]] + bias[targets[r]]);
    this.softmaxRows(outStart * 4, biasStart * 4, m, n, n4, statsStart * 4);
    const stats = this.heap64;
    const statsAt = statsStart / 2;
    for (let r = 0; r < m; r++) {
      loss += stats[statsAt + 2 * r] + Math.log(stats[statsAt + 2 * r + 1]);
      out.set(heap.subarray(outStart + r * n4, outStart + r * n4 + n), r * n);
    }
    return loss;
  };

  /**
   * a · bᵀ into the kernel's memory, with `extraFloats` reserved behind the
   * [m2 × n4] result; returns the result's start (in floats).
   */
  private multiply(a: Float32Array, aOffset: number, lda: number, b: Float32Array, bOffset: number, ldb: number, m: number, n: number, k: number, extraFloats: number): number {
    const k4 = (k + 3) & ~3;
    const m2 = (m + 1) & ~1;
    const n4 = (n + 3) & ~3;
    const p = this.pinned;
    const usePinned = p !== null && p.b === b && p.bOffset === bOffset && p.ldb === ldb && p.n === n && p.k === k;
    const aStart = this.pinnedFloats;
    const bStart = usePinned ? 0 : aStart + m2 * k4;
    const outStart = usePinned ? aStart + m2 * k4 : bStart + n4 * k4;
    this.reserve(outStart + m2 * n4 + extraFloats);
    const heap = this.heap;
    packRows(heap, aStart, a, aOffset, lda, m, m2, k, k4);
    if (!usePinned) packRows(heap, bStart, b, bOffset, ldb, n, n4, k, k4);
    this.run(aStart * 4, bStart * 4, outStart * 4, m2, n4, k4);
    return outStart;
  }
}

/** Copies `rows` rows of length k (stride ld) into heap rows of length k4, zero-padding columns and rows up to paddedRows. */
function packRows(heap: Float32Array, start: number, source: Float32Array, offset: number, ld: number, rows: number, paddedRows: number, k: number, k4: number): void {
  if (k === k4 && ld === k) {
    heap.set(source.subarray(offset, offset + rows * k), start);
  } else {
    for (let r = 0; r < rows; r++) {
      heap.set(source.subarray(offset + r * ld, offset + r * ld + k), start + r * k4);
      if (k4 > k) heap.fill(0, start + r * k4 + k, start + (r + 1) * k4);
    }
  }
  if (paddedRows > rows) heap.fill(0, start + rows * k4, start + paddedRows * k4);
}

function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const clean = base64.replace(/=+$/, '');
  const bytes = new Uint8Array(new ArrayBuffer(Math.floor((clean.length * 3) / 4)));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (let i = 0; i < clean.length; i++) {
    buffer = (buffer << 6) | alphabet.indexOf(clean[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[index++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes;
}
