import { KERNEL_WASM_BASE64 } from './kernel-bytes.ts';

/** The exports of kernels.wat; every pointer is a byte offset into the instance's memory. */
export interface KernelExports {
  /** out[r] = bias[r] + Σ_c W[r, c]·x[c] for r < rows. */
  matvec(W: number, rows: number, cols: number, x: number, bias: number, out: number): void;
  /** One fused LSTM layer step on panel-packed weights [rows × cols] (padded); the new h overwrites xh from byte hOffset of it. hard 1: hard-sigmoid gates. */
  lstm_step(W: number, bias: number, xh: number, rows: number, cols: number, gates: number, c: number, H: number, hOffset: number, hard: number): void;
  /** One Elman layer step (relu 0: tanh, 1: ReLU) on panel-packed weights; the new h overwrites xh from byte hOffset of it. */
  rnn_step(W: number, bias: number, xh: number, rows: number, cols: number, pre: number, H: number, hOffset: number, relu: number): void;
  /** out = bias + xScale·Σ scale·(W·xq) on row-major int8 weights (rows subPerRow·16 bytes apart, scales packed per 4 rows), x quantized to int16 (|xq| ≤ limit) first. */
  matvec_q8(W: number, scales: number, rows: number, subPerRow: number, subPerBlock: number, x: number, xq: number, limit: number, bias: number, out: number): void;
  /** The same product with the weights widened to f32 (no activation quantization). */
  matvec_q8_float(W: number, scales: number, rows: number, subPerRow: number, subPerBlock: number, x: number, bias: number, out: number): void;
  /** One LSTM layer step on row-major int8 weights, as matvec_q8 reads them (exact 1: widened-f32 product; 0: integer product; hard 1: hard-sigmoid gates). */
  lstm_step_q8(
    W: number, scales: number, bias: number, xh: number, xq: number, limit: number,
    rows: number, subPerRow: number, subPerBlock: number, gates: number, c: number, H: number, hOffset: number, exact: number, hard: number,
  ): void;
  /**
   * out = bias + W·x on 4-bit weights (row-major nibbles, rows chunks·16 bytes apart, rows a multiple of 4; scales row-major
   * [rows × blocksPerRow], a block chunkPerBlock 32-column chunks); x [chunks·32] f32 is de-interleaved into xd, then
   * (exact 0) quantized to int16 in xq (|xq| ≤ limit) and multiplied in integers, or (exact 1) multiplied in f32.
   */
  matvec_q4(
    W: number, scales: number, rows: number, chunks: number, chunkPerBlock: number, blocksPerRow: number,
    x: number, xd: number, xq: number, limit: number, exact: number, bias: number, out: number,
  ): void;
  /** One LSTM layer step on 4-bit weights, as matvec_q4 reads them; the new h overwrites xh from byte hOffset of it. */
  lstm_step_q4(
    W: number, scales: number, bias: number, xh: number, xd: number, xq: number, limit: number,
    rows: number, chunks: number, chunkPerBlock: number, blocksPerRow: number, gates: number, c: number, H: number, hOffset: number, exact: number, hard: number,
  ): void;
  /** One Elman layer step on 4-bit weights, as matvec_q4 reads them. */
  rnn_step_q4(
    W: number, scales: number, bias: number, xh: number, xd: number, xq: number, limit: number,
    rows: number, chunks: number, chunkPerBlock: number, blocksPerRow: number, pre: number, H: number, hOffset: number, exact: number, relu: number,
  ): void;
  /** out [m × n] = a [m × k] · b [n × k]ᵀ, contiguous; m a multiple of 4, n of 2, k of 4 (padding zero). */
  gemm_nt(out: number, a: number, b: number, m: number, n: number, k: number): void;
  /**
   * One GRU layer step on panel-packed f32 weights, input and hidden products apart (gate blocks S rows apart);
   * the new h overwrites h in place. resetAfter 1: PyTorch's variant, 0: reset before. hard 1: hard-sigmoid gates.
   */
  gru_step(
    Wx: number, Wh: number, bx: number, bh: number, x: number, h: number, rh: number,
    gx: number, gh: number, S: number, colsX: number, colsH: number, resetAfter: number, hard: number,
  ): void;
  /** rh = σ(gx_r + gh_r) ⊙ h over n lanes: the reset-before GRU's input to its n rows (hard 1: hard sigmoid for σ). */
  gru_reset(gx: number, gh: number, h: number, rh: number, n: number, hard: number): void;
  /** The GRU state update over n lanes from the two products (gate blocks S floats apart), h in place (hard 1: hard-sigmoid gates). */
  gru_update(gx: number, gh: number, h: number, S: number, n: number, resetAfter: number, hard: number): void;
  /** One Elman layer step on row-major int8 weights, as matvec_q8 reads them. */
  rnn_step_q8(
    W: number, scales: number, bias: number, xh: number, xq: number, limit: number,
    rows: number, subPerRow: number, subPerBlock: number, pre: number, H: number, hOffset: number, exact: number, relu: number,
  ): void;
  /** ids[0 … min(k, n)) = indices of the largest x[0 … n), best first (ties: lower index); returns min(k, n). Sorts only the kept k. */
  top_k(x: number, n: number, ids: number, k: number): number;
  /** Σ exp(x[i] − m) over i < n (SIMD exp, f64 sum), m the maximum, read as an f32 at byte offset `mAt`; the sum is stored as an f64 at `out` (8-aligned): only integers cross into JavaScript, so nothing is boxed. */
  sum_exp_into(x: number, n: number, mAt: number, out: number): void;
}

// The smallest module that uses a SIMD instruction (v128.const, i32x4.splat … ):
// (module (func (result v128) i32.const 0 i32x4.splat)). validate() says
// whether this engine decodes 128-bit SIMD without running anything.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03,
  0x02, 0x01, 0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x11, 0x0b,
]);

let simdSupported: boolean | undefined;
let compiled: WebAssembly.Module | undefined;

/**
 * True when this engine has WebAssembly with 128-bit SIMD (Node ≥ 16.4, Deno,
 * Bun, current browsers). Cost: one validate of a 29-byte module, then cached.
 */
export function wasmSimdSupported(): boolean {
  if (simdSupported === undefined) {
    try {
      simdSupported = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
    } catch {
      simdSupported = false;
    }
  }
  return simdSupported;
}

/** The compiled kernel module (about 5 KB). Compiled synchronously once, on first use; cold path. */
export function kernelModule(): WebAssembly.Module {
  if (compiled === undefined) compiled = new WebAssembly.Module(decodeBase64(KERNEL_WASM_BASE64));
  return compiled;
}

/** An instance of the kernels working on `memory`. Cold path: one instantiation (microseconds). */
export function instantiateKernels(memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(kernelModule(), { env: { memory } });
  return instance.exports as unknown as KernelExports;
}

function decodeBase64(base64: string): Uint8Array<ArrayBuffer> {
  // atob exists in every supported runtime (Node ≥ 16, Deno, Bun, browsers).
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
