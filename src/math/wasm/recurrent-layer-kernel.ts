import { KernelArena } from './kernel-arena.ts';
import { packQ4, q4Layout, type Q4Parts } from './q4-packing.ts';
import { packQ8, q8Layout } from './q8-packing.ts';
import type { Q8KernelMode, Q8Parts } from './q8-matvec-kernel.ts';

/** Cell kinds as the WebAssembly kernel numbers them (small integers keep the step monomorphic); LstmHard: hard-sigmoid gates. */
export const LayerKernelKind = { Lstm: 0, RnnTanh: 1, RnnRelu: 2, LstmHard: 3 } as const;
/** One of {@link LayerKernelKind}'s values. */
export type LayerKernelKind = (typeof LayerKernelKind)[keyof typeof LayerKernelKind];

/** Rows per panel of packed f32 weights (the kernel keeps one accumulator per row). */
const PANEL_ROWS = 8;
/** Columns per block inside an f32 panel: one 128-bit vector. */
const BLOCK_COLUMNS = 4;

const F32 = 0;
const Q8 = 1;
const Q4 = 2;

/**
 * One recurrent layer stepped by the WebAssembly SIMD kernels, with f32,
 * int8 or 4-bit weights. The fused weights [G·H × (I + H)] are copied once into the
 * kernel's own memory: f32 packed in panels of 8 rows per 4-column block (the
 * product streams one pointer and reuses each load of x for 8 rows; a copy
 * in addition to the matrix's own array), int8 row-major with rows padded to
 * 16 columns (4 rows per pass; the Q8Matrix adopts this copy, see
 * q8Weight, and the weights are held once), 4-bit nibbles row-major with
 * rows padded to 32 columns and the scales as the Q4Matrix keeps them (it
 * adopts both, see q4Parts); next to them lives one step's scratch (xh,
 * gates, c; the 4-bit kernel's de-interleaved copy of xh).
 * Every session of a model shares the kernel: a step copies the session's h
 * and c in, makes one call, and copies them back, so a session's own memory
 * stays its state alone. Steps are synchronous, so sessions never interleave
 * inside the scratch. One class for every kind and dtype keeps the call
 * sites monomorphic.
 */
export class RecurrentLayerKernel {
  readonly kind: LayerKernelKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  private readonly arena: KernelArena;
  /** 0: f32 weights, 1: int8 weights, 2: 4-bit weights. */
  private readonly dtype: number;
  /** int8 and 4-bit: 1 multiplies in f32 (widened weights), 0 in integers (quantized activations). */
  private readonly exact: number;
  private readonly weightOffset: number;
  private readonly scalesOffset: number;
  private readonly biasOffset: number;
  private readonly xhOffset: number;
  private readonly xqOffset: number;
  private readonly gatesOffset: number;
  private readonly cOffset: number;
  /** Padded rows of the packed matrix. */
  private readonly rows: number;
  /** f32: padded columns; int8: 16-column sub-blocks per row; 4-bit: 32-column chunks per row. */
  private readonly cols: number;
  /** int8: sub-blocks per scale; 4-bit: chunks per scale. */
  private readonly subPerBlock: number;
  /** 4-bit only: scales per row. */
  private blocksPerRow = 0;
  /** 4-bit only: the de-interleaved copy of xh the kernel multiplies. */
  private xdOffset = 0;
  private readonly activationLimit: number;
  /** [I] the layer input part of xh. */
  private readonly x: Float32Array;
  /** [H] the h part of xh (the kernel writes the new h there). */
  private readonly hPart: Float32Array;
  /** [H] the cell state (LSTM). */
  private readonly c: Float32Array;
  /** [rows'] the bias as the kernel reads it. */
  private readonly biasView: Float32Array;
  /** f32 only: the packed weights, for {@link refreshF32}. */
  private packedF32: Float32Array | null = null;
  /**
   * int8 only: the weights [G·H × (I + H)] row-major in the kernel's memory,
   * rows {@link q8WeightRowStride} elements apart (I + H padded to 16), for
   * the Q8Matrix to adopt (Q8Matrix.adoptStorage) so the layer's weights are
   * held once; null for f32.
   */
  q8Weight: Int8Array | null = null;
  /** int8 only: elements from one row of {@link q8Weight} to the next. */
  q8WeightRowStride = 0;
  /**
   * 4-bit only: the nibbles, their row stride in bytes and the scales in the
   * kernel's memory, for the Q4Matrix to adopt (Q4Matrix.adoptStorage); null otherwise.
   */
  q4Parts: { readonly data: Uint8Array; readonly rowStride: number; readonly scales: Float32Array } | null = null;

  /**
   * A kernel over f32 weight [G·H × (I + H)] and bias [G·H], packed into a new memory.
   * Memory: 4·(rows'·cols' + 2·rows' + cols' + H) bytes, rows' = G·H rounded up
   * to 8, cols' = I + H rounded up to 4, in 64 KiB pages. Cold path.
   */
  static fromF32(kind: LayerKernelKind, inputSize: number, hiddenSize: number, weight: Float32Array, bias: Float32Array): RecurrentLayerKernel {
    const rows = gateRows(kind, hiddenSize);
    const cols = inputSize + hiddenSize;
    const paddedRows = Math.ceil(rows / PANEL_ROWS) * PANEL_ROWS;
    const paddedCols = Math.ceil(cols / BLOCK_COLUMNS) * BLOCK_COLUMNS;
    const arena = new KernelArena([4 * paddedRows * paddedCols, 4 * paddedRows, 4 * paddedCols, 4 * paddedRows, 4 * hiddenSize]);
    const w = arena.takeFloat32(paddedRows * paddedCols);
    packF32Panels(w.view, weight, rows, cols, paddedCols);
    const kernel = new RecurrentLayerKernel(kind, inputSize, hiddenSize, arena, F32, 0, w.offset, 0, paddedRows, paddedCols, 0, 0, bias, 0);
    kernel.packedF32 = w.view;
    return kernel;
  }

  /**
   * A kernel over an int8 weight matrix (Q8Matrix parts) and f32 bias, or null
   * when its scale blocks are not multiples of 16 columns. Memory: rows'·cols'
   * bytes of weights (rows' = G·H rounded up to 4, cols' = I + H rounded up to
   * 16), the scales, and about 14·cols' + 8·rows' bytes of scratch. Cold path.
   */
  static fromQ8(kind: LayerKernelKind, inputSize: number, hiddenSize: number, weight: Q8Parts, bias: Float32Array, mode: Q8KernelMode): RecurrentLayerKernel | null {
    const rows = gateRows(kind, hiddenSize);
    const cols = inputSize + hiddenSize;
    const layout = q8Layout(rows, cols, weight.blockSize);
    if (layout === null) return null;
    const { paddedRows, paddedCols, blocksPerRow } = layout;
    const arena = new KernelArena([
      paddedRows * paddedCols, 4 * paddedRows * blocksPerRow, 4 * paddedRows, 4 * paddedCols, 2 * paddedCols, 4 * paddedRows, 4 * hiddenSize,
    ]);
    const w = arena.takeInt8(paddedRows * paddedCols);
    const scales = arena.takeFloat32(paddedRows * blocksPerRow);
    packQ8(w.view, scales.view, layout, rows, cols, weight.data, weight.scales);
    const kernel = new RecurrentLayerKernel(
      kind, inputSize, hiddenSize, arena, Q8, mode === 'float' ? 1 : 0, w.offset, scales.offset,
      paddedRows, layout.subPerRow, layout.subPerBlock, layout.activationLimit, bias, paddedCols,
    );
    kernel.q8Weight = w.view.subarray(0, rows * paddedCols);
    kernel.q8WeightRowStride = paddedCols;
    return kernel;
  }

  /**
   * A kernel over a 4-bit weight matrix (Q4Matrix parts) and f32 bias, or
   * null when its scale blocks are not multiples of 32 columns. Memory:
   * rows'·cols'/2 bytes of nibbles (rows' = G·H rounded up to 4, cols' = I + H
   * rounded up to 32), the scales, and about 14·cols' + 8·rows' bytes of
   * scratch. Cold path.
   */
  static fromQ4(kind: LayerKernelKind, inputSize: number, hiddenSize: number, weight: Q4Parts, bias: Float32Array, mode: Q8KernelMode): RecurrentLayerKernel | null {
    const rows = gateRows(kind, hiddenSize);
    const cols = inputSize + hiddenSize;
    const layout = q4Layout(rows, cols, weight.blockSize);
    if (layout === null) return null;
    const { paddedRows, paddedCols, blocksPerRow } = layout;
    const arena = new KernelArena([
      paddedRows * paddedCols / 2, 4 * paddedRows * blocksPerRow, 4 * paddedRows, 4 * paddedCols, 2 * paddedCols, 4 * paddedRows, 4 * hiddenSize, 4 * paddedCols,
    ]);
    const data = arena.takeUint8(paddedRows * paddedCols / 2);
    const scales = arena.takeFloat32(paddedRows * blocksPerRow);
    packQ4(data.view, scales.view, layout, weight);
    const kernel = new RecurrentLayerKernel(
      kind, inputSize, hiddenSize, arena, Q4, mode === 'float' ? 1 : 0, data.offset, scales.offset,
      paddedRows, layout.chunks, layout.chunkPerBlock, layout.activationLimit, bias, paddedCols,
    );
    kernel.blocksPerRow = blocksPerRow;
    kernel.xdOffset = arena.takeBytes(4 * paddedCols);
    kernel.q4Parts = { data: data.view.subarray(0, rows * paddedCols / 2), rowStride: paddedCols / 2, scales: scales.view.subarray(0, rows * blocksPerRow) };
    return kernel;
  }

  /** Takes the scratch regions after the weights (and scales) already taken from the arena. */
  private constructor(
    kind: LayerKernelKind,
    inputSize: number,
    hiddenSize: number,
    arena: KernelArena,
    dtype: number,
    exact: number,
    weightOffset: number,
    scalesOffset: number,
    rows: number,
    cols: number,
    subPerBlock: number,
    activationLimit: number,
    bias: Float32Array,
    xqColumns: number,
  ) {
    this.kind = kind;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.arena = arena;
    this.dtype = dtype;
    this.exact = exact;
    this.weightOffset = weightOffset;
    this.scalesOffset = scalesOffset;
    this.rows = rows;
    this.cols = cols;
    this.subPerBlock = subPerBlock;
    this.activationLimit = activationLimit;
    const b = arena.takeFloat32(rows);
    b.view.set(bias);
    this.biasView = b.view;
    // Zeroed, and xh's padding columns stay zero: the kernels multiply them by the zero padding of W.
    const xh = arena.takeFloat32(dtype === F32 ? cols : xqColumns);
    this.xqOffset = dtype === F32 ? 0 : arena.takeBytes(2 * xqColumns);
    const gates = arena.takeFloat32(rows);
    const c = arena.takeFloat32(hiddenSize);
    this.biasOffset = b.offset;
    this.xhOffset = xh.offset;
    this.gatesOffset = gates.offset;
    this.cOffset = c.offset;
    this.x = xh.view.subarray(0, inputSize);
    this.hPart = xh.view.subarray(inputSize, inputSize + hiddenSize);
    this.c = c.view;
  }

  /**
   * Packs new f32 weights [G·H × (I + H)] and bias [G·H] in place of the
   * current ones: for a model whose weights are adapted while it runs (one
   * session's private copy under dynamic evaluation). Throws RangeError on an
   * int8 or 4-bit kernel. Cost: one pass over the weights; no allocation.
   */
  refreshF32(weight: Float32Array, bias: Float32Array): void {
    if (this.packedF32 === null) throw new RangeError('refreshF32 needs a kernel made by fromF32');
    const rows = gateRows(this.kind, this.hiddenSize);
    packF32Panels(this.packedF32, weight, rows, this.inputSize + this.hiddenSize, this.cols);
    this.biasView.set(bias);
  }

  /** Bytes of WebAssembly memory this layer holds (packed weights and one step's scratch). */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /**
   * Advances one step: reads input [I], updates h [H] and c [H] (LSTM; null
   * otherwise) in place. Cost: G·H·(I + H) multiply-adds in SIMD and a few
   * copies of H floats; no allocation.
   */
  stepInto(h: Float32Array, c: Float32Array | null, input: Float32Array): Float32Array {
    this.x.set(input);
    this.hPart.set(h);
    const kernels = this.arena.kernels;
    const hOffset = 4 * this.inputSize;
    const relu = this.kind === LayerKernelKind.RnnRelu ? 1 : 0;
    if (this.kind === LayerKernelKind.Lstm || this.kind === LayerKernelKind.LstmHard) {
      const hard = this.kind === LayerKernelKind.LstmHard ? 1 : 0;
      this.c.set(c as Float32Array);
      if (this.dtype === F32) {
        kernels.lstm_step(this.weightOffset, this.biasOffset, this.xhOffset, this.rows, this.cols, this.gatesOffset, this.cOffset, this.hiddenSize, hOffset, hard);
      } else if (this.dtype === Q4) {
        kernels.lstm_step_q4(
          this.weightOffset, this.scalesOffset, this.biasOffset, this.xhOffset, this.xdOffset, this.xqOffset, this.activationLimit,
          this.rows, this.cols, this.subPerBlock, this.blocksPerRow, this.gatesOffset, this.cOffset, this.hiddenSize, hOffset, this.exact, hard,
        );
      } else {
        kernels.lstm_step_q8(
          this.weightOffset, this.scalesOffset, this.biasOffset, this.xhOffset, this.xqOffset, this.activationLimit,
          this.rows, this.cols, this.subPerBlock, this.gatesOffset, this.cOffset, this.hiddenSize, hOffset, this.exact, hard,
        );
      }
      (c as Float32Array).set(this.c);
    } else if (this.dtype === F32) {
      kernels.rnn_step(this.weightOffset, this.biasOffset, this.xhOffset, this.rows, this.cols, this.gatesOffset, this.hiddenSize, hOffset, relu);
    } else if (this.dtype === Q4) {
      kernels.rnn_step_q4(
        this.weightOffset, this.scalesOffset, this.biasOffset, this.xhOffset, this.xdOffset, this.xqOffset, this.activationLimit,
        this.rows, this.cols, this.subPerBlock, this.blocksPerRow, this.gatesOffset, this.hiddenSize, hOffset, this.exact, relu,
      );
    } else {
      kernels.rnn_step_q8(
        this.weightOffset, this.scalesOffset, this.biasOffset, this.xhOffset, this.xqOffset, this.activationLimit,
        this.rows, this.cols, this.subPerBlock, this.gatesOffset, this.hiddenSize, hOffset, this.exact, relu,
      );
    }
    h.set(this.hPart);
    return h;
  }
}

function gateRows(kind: LayerKernelKind, hiddenSize: number): number {
  return (kind === LayerKernelKind.Lstm || kind === LayerKernelKind.LstmHard ? 4 : 1) * hiddenSize;
}

/**
 * Writes row-major W [rows × cols] into `packed` as panels of 8 rows: panel p,
 * column block k holds W[8p + i, 4k + j] at (p·cols' / 4 + k)·32 + 4i + j.
 * Padding rows and columns stay zero (packed is zeroed). Cold path.
 */
function packF32Panels(packed: Float32Array, W: Float32Array, rows: number, cols: number, paddedCols: number): void {
  const blocks = paddedCols / BLOCK_COLUMNS;
  for (let r = 0; r < rows; r++) {
    const panelBase = Math.floor(r / PANEL_ROWS) * PANEL_ROWS * paddedCols;
    const rowInPanel = (r % PANEL_ROWS) * BLOCK_COLUMNS;
    for (let k = 0; k < blocks; k++) {
      const target = panelBase + k * PANEL_ROWS * BLOCK_COLUMNS + rowInPanel;
      for (let j = 0; j < BLOCK_COLUMNS; j++) {
        const column = k * BLOCK_COLUMNS + j;
        if (column < cols) packed[target + j] = W[r * cols + column];
      }
    }
  }
}
