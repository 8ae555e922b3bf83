import { KernelArena } from './kernel-arena.ts';

/** Cell kinds as the WebAssembly kernel numbers them (small integers keep the step monomorphic). */
export const LayerKernelKind = { Lstm: 0, RnnTanh: 1, RnnRelu: 2 } as const;
/** One of {@link LayerKernelKind}'s values. */
export type LayerKernelKind = (typeof LayerKernelKind)[keyof typeof LayerKernelKind];

/** Rows per panel of the packed weights (the kernel keeps one accumulator per row). */
const PANEL_ROWS = 8;
/** Columns per block inside a panel: one 128-bit vector of f32. */
const BLOCK_COLUMNS = 4;

/**
 * One recurrent layer stepped by the WebAssembly SIMD kernel. The fused
 * weights [G·H × (I + H)] are packed once into the kernel's own memory in
 * panels of 8 rows (for each 4-column block, the 8 rows' values side by side)
 * so the product streams one pointer and reuses each load of x for 8 rows;
 * next to them lives one step's scratch (xh, gates, c). Every session of a
 * model shares it: a step copies the session's h and c in, makes one call,
 * and copies them back, so a session's own memory stays its state alone.
 * Steps are synchronous, so sessions never interleave inside the scratch.
 * Memory: 4·(rows'·cols' + 2·rows' + cols' + H) bytes, rows' = G·H rounded up
 * to 8 and cols' = I + H rounded up to 4, in 64 KiB pages. The packed copy is
 * in addition to the matrix's own row-major array.
 */
export class RecurrentLayerKernel {
  readonly kind: LayerKernelKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  private readonly arena: KernelArena;
  private readonly weightOffset: number;
  private readonly biasOffset: number;
  private readonly xhOffset: number;
  private readonly gatesOffset: number;
  private readonly cOffset: number;
  /** Padded sizes of the packed matrix. */
  private readonly rows: number;
  private readonly cols: number;
  /** [I] the layer input part of xh. */
  private readonly x: Float32Array;
  /** [H] the h part of xh (the kernel writes the new h there). */
  private readonly hPart: Float32Array;
  /** [H] the cell state (LSTM). */
  private readonly c: Float32Array;

  /** Packs weight [G·H × (I + H)] and copies bias [G·H] into a new memory. Cold path. */
  constructor(kind: LayerKernelKind, inputSize: number, hiddenSize: number, weight: Float32Array, bias: Float32Array) {
    const H = hiddenSize;
    const rows = (kind === LayerKernelKind.Lstm ? 4 : 1) * H;
    const cols = inputSize + H;
    const paddedRows = Math.ceil(rows / PANEL_ROWS) * PANEL_ROWS;
    const paddedCols = Math.ceil(cols / BLOCK_COLUMNS) * BLOCK_COLUMNS;
    this.kind = kind;
    this.inputSize = inputSize;
    this.hiddenSize = H;
    this.rows = paddedRows;
    this.cols = paddedCols;
    this.arena = new KernelArena([paddedRows * paddedCols, paddedRows, paddedCols, paddedRows, H]);
    const w = this.arena.take(paddedRows * paddedCols);
    const b = this.arena.take(paddedRows);
    // Zeroed, and the padding columns of xh stay zero: the kernel multiplies them by the zero padding of W.
    const xh = this.arena.take(paddedCols);
    const gates = this.arena.take(paddedRows);
    const c = this.arena.take(H);
    packPanels(w.view, weight, rows, cols, paddedCols);
    b.view.set(bias);
    this.weightOffset = w.offset;
    this.biasOffset = b.offset;
    this.xhOffset = xh.offset;
    this.gatesOffset = gates.offset;
    this.cOffset = c.offset;
    this.x = xh.view.subarray(0, inputSize);
    this.hPart = xh.view.subarray(inputSize, inputSize + H);
    this.c = c.view;
  }

  /** Bytes of WebAssembly memory this layer holds (packed weights and one step's scratch). */
  get byteLength(): number {
    return this.arena.memory.buffer.byteLength;
  }

  /**
   * Advances one step: reads input [I], updates h [H] and c [H] (LSTM; null
   * otherwise) in place. Cost: G·H·(I + H) multiply-adds in SIMD and three
   * small copies; no allocation.
   */
  stepInto(h: Float32Array, c: Float32Array | null, input: Float32Array): Float32Array {
    this.x.set(input);
    this.hPart.set(h);
    const hOffset = 4 * this.inputSize;
    if (this.kind === LayerKernelKind.Lstm) {
      this.c.set(c as Float32Array);
      this.arena.kernels.lstm_step(
        this.weightOffset, this.biasOffset, this.xhOffset, this.rows, this.cols, this.gatesOffset, this.cOffset, this.hiddenSize, hOffset,
      );
      (c as Float32Array).set(this.c);
    } else {
      this.arena.kernels.rnn_step(
        this.weightOffset, this.biasOffset, this.xhOffset, this.rows, this.cols, this.gatesOffset, this.hiddenSize, hOffset,
        this.kind === LayerKernelKind.RnnRelu ? 1 : 0,
      );
    }
    h.set(this.hPart);
    return h;
  }
}

/**
 * Writes row-major W [rows × cols] into `packed` as panels of 8 rows: panel p,
 * column block k holds W[8p + i, 4k + j] at (p·cols' / 4 + k)·32 + 4i + j.
 * Padding rows and columns stay zero (packed is zeroed). Cold path.
 */
function packPanels(packed: Float32Array, W: Float32Array, rows: number, cols: number, paddedCols: number): void {
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
