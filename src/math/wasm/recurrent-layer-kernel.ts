import { KernelArena } from './kernel-arena.ts';

/** Cell kinds as the WebAssembly kernel numbers them (small integers keep the step monomorphic). */
export const LayerKernelKind = { Lstm: 0, RnnTanh: 1, RnnRelu: 2 } as const;
/** One of {@link LayerKernelKind}'s values. */
export type LayerKernelKind = (typeof LayerKernelKind)[keyof typeof LayerKernelKind];

/**
 * One recurrent layer stepped by the WebAssembly SIMD kernel: the fused
 * weights [G·H × (I + H)] and bias [G·H] live once in its own memory next to
 * one step's scratch (xh [I + H], gates [G·H], c [H]). Every session of a
 * model shares it: a step copies the session's h and c in, runs one call,
 * and copies them back, so a session's own memory stays its state alone.
 * Steps are synchronous, so sessions never interleave inside the scratch.
 * Memory: 4·(G·H·(I + H) + G·H + I + H + G·H + H) bytes, rounded up to 64 KiB.
 */
export class RecurrentLayerKernel {
  readonly kind: LayerKernelKind;
  readonly inputSize: number;
  readonly hiddenSize: number;
  /** The weights as the kernel reads them: a view of its memory, row-major [G·H × (I + H)]. */
  readonly weight: Float32Array;
  private readonly arena: KernelArena;
  private readonly weightOffset: number;
  private readonly biasOffset: number;
  private readonly xhOffset: number;
  private readonly gatesOffset: number;
  private readonly cOffset: number;
  private readonly cols: number;
  /** [I + H] the layer input, then h (the kernel writes the new h there). */
  private readonly xh: Float32Array;
  /** [I] view of xh's input part. */
  private readonly x: Float32Array;
  /** [H] view of xh's h part. */
  private readonly hPart: Float32Array;
  /** [H] the cell state (LSTM). */
  private readonly c: Float32Array;

  /** Copies weight [G·H × (I + H)] and bias [G·H] into a new memory. Cold path. */
  constructor(kind: LayerKernelKind, inputSize: number, hiddenSize: number, weight: Float32Array, bias: Float32Array) {
    const H = hiddenSize;
    const rows = (kind === LayerKernelKind.Lstm ? 4 : 1) * H;
    const cols = inputSize + H;
    this.kind = kind;
    this.inputSize = inputSize;
    this.hiddenSize = H;
    this.cols = cols;
    this.arena = new KernelArena([rows * cols, rows, cols, rows, H]);
    const w = this.arena.take(rows * cols);
    const b = this.arena.take(rows);
    const xh = this.arena.take(cols);
    const gates = this.arena.take(rows);
    const c = this.arena.take(H);
    w.view.set(weight);
    b.view.set(bias);
    this.weight = w.view;
    this.weightOffset = w.offset;
    this.biasOffset = b.offset;
    this.xhOffset = xh.offset;
    this.gatesOffset = gates.offset;
    this.cOffset = c.offset;
    this.xh = xh.view;
    this.x = xh.view.subarray(0, inputSize);
    this.hPart = xh.view.subarray(inputSize);
    this.c = c.view;
  }

  /** Bytes of WebAssembly memory this layer holds (weights and one step's scratch). */
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
    if (this.kind === LayerKernelKind.Lstm) {
      this.c.set(c as Float32Array);
      this.arena.kernels.lstm_step(this.weightOffset, this.biasOffset, this.xhOffset, this.cols, this.gatesOffset, this.cOffset, this.hiddenSize);
      (c as Float32Array).set(this.c);
    } else {
      this.arena.kernels.rnn_step(
        this.weightOffset, this.biasOffset, this.xhOffset, this.cols, this.gatesOffset, this.hiddenSize,
        this.kind === LayerKernelKind.RnnRelu ? 1 : 0,
      );
    }
    h.set(this.hPart);
    return h;
  }
}
