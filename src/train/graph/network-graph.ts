import { isGru } from '../../cells/cell.ts';
import type { F32Matrix } from '../../math/f32-matrix.ts';
import { gemmNTInto } from '../../math/gemm.ts';
import { WasmGemm } from '../kernels/wasm-gemm.ts';
import { SeededRandom } from '../../math/random.ts';
import type { TrainableModel } from '../trainable-model.ts';
import { mixSeed } from '../seed-mix.ts';
import { ClassSoftmaxHeadGraph } from './class-softmax-head.ts';
import type { HeadGraph } from './head-graph.ts';
import { LinearHeadGraph } from './linear-head.ts';
import { GruLayerGraph } from './gru-layer.ts';
import { RecurrentLayerGraph } from './recurrent-layer.ts';
import { SoftmaxHeadGraph } from './softmax-head.ts';

/** One recurrent layer of the graph: the fused LSTM/Elman graph or the GRU's; the same forward, backward and carried h (and c). */
export type LayerGraph = RecurrentLayerGraph | GruLayerGraph;

/** Shape of the windows a NetworkGraph runs. */
export interface NetworkGraphOptions {
  /** B, the number of parallel streams. */
  readonly batchSize: number;
  /** T, the longest window (steps per forward/backward). */
  readonly window: number;
  /** Probability of zeroing a unit between layers and before the head (inverted dropout). Default 0. */
  readonly dropout?: number;
  /**
   * Probability of zeroing a unit of the first layer's input: the embedding
   * row (or dense input), as the classic word-LM recipe drops the embedding
   * output. Default 0.
   */
  readonly inputDropout?: number;
  /**
   * Probability of zeroing a unit of h_{t−1} where it enters an LSTM or
   * Elman layer's recurrent product, one mask per stream and window
   * (variational dropout on the recurrent connections, Gal & Ghahramani
   * 2016). GRU layers do not take it. Default 0.
   */
  readonly recurrentDropout?: number;
  /**
   * Probability of dropping a word type from a window: every occurrence of
   * that token in the window (all streams, all steps) gets a zero embedding
   * row, the others theirs × 1/(1 − p) (embedding dropout, Gal & Ghahramani
   * 2016, as AWD-LSTM uses it). Embedding input only. Default 0.
   */
  readonly embeddingDropout?: number;
  /**
   * Matrix-product kernel: 'wasm' (WebAssembly SIMD, f32 sums; the default
   * where the engine has it) or 'typescript' (f64 sums, runs everywhere).
   */
  readonly kernel?: 'wasm' | 'typescript';
  /**
   * Hold the output layer's weight (and, tied, the embedding) fixed: no
   * gradient for it, which saves a third of a softmax head's backward (dynamic
   * evaluation of the recurrent weights and biases). Default false.
   */
  readonly fixedHeadWeight?: boolean;
}

/**
 * A whole trainable model unrolled over windows of up to T steps for B
 * streams: input (embedding lookup with embedding dropout, or dense copy) → input dropout →
 * recurrent layers (recurrent dropout on h_{t−1} inside), each followed by
 * dropout → head and loss. Reads weights from and accumulates gradients into
 * a TrainableModel; carries h and C from window to window (truncated BPTT)
 * until resetState. Data is time-major: row t·B + b is stream b at step t.
 * Every buffer is allocated here, once; a window allocates nothing.
 */
export class NetworkGraph {
  readonly batchSize: number;
  readonly window: number;
  readonly dropout: number;
  readonly inputDropout: number;
  readonly recurrentDropout: number;
  readonly embeddingDropout: number;
  readonly layers: readonly LayerGraph[];
  /** The matrix-product kernel in use ('wasm' falls back to 'typescript' without WebAssembly SIMD). */
  readonly kernel: 'wasm' | 'typescript';
  private readonly trainable: TrainableModel;
  private readonly head: HeadGraph;
  private readonly embedding: Float32Array | null; // [V × I]
  private readonly dEmbedding: Float32Array | null;
  private readonly inputSize: number;
  /** [L] each layer's own hidden size (a stack may mix sizes). */
  private readonly hiddenSizes: readonly number[];
  private readonly embedded: Float32Array; // [T × B × I] embedding rows (token input)
  private readonly tokens: Int32Array; // [T × B] the window's input ids
  private readonly tokenScales: Float32Array; // [T × B]: 0 or 1/(1 − p) per input token; empty without embedding dropout
  private readonly masks: Float32Array[]; // per layer [T × B × H_l]: 0 or 1/(1 − p); empty without dropout
  private readonly dropped: Float32Array[]; // per layer [T × B × H_l]: output ⊙ mask
  private readonly dHidden: Float32Array[]; // per layer [T × B × H_l]: ∂loss/∂(layer output)
  private readonly dEmbedded: Float32Array; // [T × B × I]
  private readonly inputMask: Float32Array; // [T × B × I]: 0 or 1/(1 − p); empty without input dropout
  private readonly droppedInput: Float32Array; // [T × B × I]: input ⊙ inputMask
  private readonly recurrentMasks: Float32Array[]; // per layer [B × H_l]: 0 or 1/(1 − p); empty without recurrent dropout
  private steps = 0;

  /** Allocates the buffers for windows of options.window steps of options.batchSize streams. */
  constructor(trainable: TrainableModel, options: NetworkGraphOptions) {
    const model = trainable.model;
    const gradients = trainable.gradients;
    const a = model.architecture;
    const B = options.batchSize;
    const T = options.window;
    if (!(Number.isInteger(B) && B > 0 && Number.isInteger(T) && T > 0)) {
      throw new RangeError(`batchSize ${B} and window ${T} must be positive integers`);
    }
    const dropout = options.dropout ?? 0;
    if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`dropout ${dropout} must be in [0, 1)`);
    const inputDropout = options.inputDropout ?? 0;
    if (!(inputDropout >= 0 && inputDropout < 1)) throw new RangeError(`inputDropout ${inputDropout} must be in [0, 1)`);
    const recurrentDropout = options.recurrentDropout ?? 0;
    if (!(recurrentDropout >= 0 && recurrentDropout < 1)) throw new RangeError(`recurrentDropout ${recurrentDropout} must be in [0, 1)`);
    const embeddingDropout = options.embeddingDropout ?? 0;
    if (!(embeddingDropout >= 0 && embeddingDropout < 1)) throw new RangeError(`embeddingDropout ${embeddingDropout} must be in [0, 1)`);
    if (embeddingDropout > 0 && model.embedding === null) throw new RangeError(`embeddingDropout ${embeddingDropout} needs an embedding input`);
    if (recurrentDropout > 0 && model.layers.some((layer) => isGru(layer.kind))) {
      throw new RangeError(`recurrentDropout ${recurrentDropout}: GRU layers do not take recurrent dropout (LSTM and Elman layers do)`);
    }
    if (a.head === 'none') throw new RangeError('training needs a head (softmax or linear) to define a loss');
    this.trainable = trainable;
    this.batchSize = B;
    this.window = T;
    this.dropout = dropout;
    this.inputDropout = inputDropout;
    this.recurrentDropout = recurrentDropout;
    this.embeddingDropout = embeddingDropout;
    this.inputSize = a.inputSize;
    this.hiddenSizes = model.layers.map((layer) => layer.hiddenSize);
    const rows = T * B;
    const data = (matrix: unknown): Float32Array => (matrix as F32Matrix).data;
    const wasm = options.kernel === 'typescript' ? null : WasmGemm.create();
    const gemm = wasm === null ? gemmNTInto : wasm.gemmNTInto;
    this.kernel = wasm === null ? 'typescript' : 'wasm';
    this.layers = model.layers.map((layer, l) => {
      const parts = [layer.inputSize, layer.hiddenSize, B, T, data(layer.weight), layer.bias, data(gradients.layers[l].weight), gradients.layers[l].bias, wasm] as const;
      return isGru(layer.kind)
        ? new GruLayerGraph(layer.kind, ...parts, layer.gateActivation)
        : new RecurrentLayerGraph(layer.kind, ...parts, layer.gateActivation);
    });
    this.embedding = model.embedding === null ? null : data(model.embedding);
    this.dEmbedding = gradients.embedding === null ? null : data(gradients.embedding);
    this.embedded = new Float32Array(this.embedding === null ? 0 : rows * a.inputSize);
    this.tokens = new Int32Array(rows);
    this.tokenScales = new Float32Array(embeddingDropout > 0 ? rows : 0);
    this.dEmbedded = new Float32Array(this.embedding === null ? 0 : rows * a.inputSize);
    // Per layer, of that layer's width (rows × H_l): layers may differ in size.
    const perLayer = (enabled: boolean): Float32Array[] => model.layers.map((layer) => new Float32Array(enabled ? rows * layer.hiddenSize : 0));
    this.inputMask = new Float32Array(inputDropout > 0 ? rows * a.inputSize : 0);
    this.droppedInput = new Float32Array(inputDropout > 0 ? rows * a.inputSize : 0);
    this.masks = perLayer(dropout > 0);
    this.dropped = perLayer(dropout > 0);
    this.recurrentMasks = model.layers.map((layer) => new Float32Array(recurrentDropout > 0 ? B * layer.hiddenSize : 0));
    this.dHidden = perLayer(true);
    const head = model.head!;
    const dHead = gradients.head!;
    // The head reads the top layer's h.
    const H = model.layers[model.layers.length - 1].hiddenSize;
    if (head.kind === 'linear') {
      this.head = new LinearHeadGraph(H, a.outputSize, rows, data(head.weight), head.bias, data(dHead.weight), dHead.bias, gemm);
    } else if (trainable.classLayer !== null) {
      this.head = new ClassSoftmaxHeadGraph(H, rows, trainable.classLayer, data(head.weight), head.bias, data(dHead.weight), dHead.bias, gemm);
    } else {
      this.head = new SoftmaxHeadGraph(H, a.outputSize, rows, data(head.weight), head.bias, data(dHead.weight), dHead.bias, gemm, options.fixedHeadWeight !== true, wasm?.softmaxNTInto ?? null);
    }
  }

  /** Zeroes every layer's carried h and C: the streams start over. */
  resetState(): void {
    for (const layer of this.layers) layer.resetState();
  }

  /**
   * Runs one window of `steps` ≤ T steps and returns its mean loss per token.
   * inputs: token ids [steps × B] (embedding models) or values [steps × B × I]
   * (dense); targets: token ids [steps × B] or values [steps × B × outputSize].
   * `dropout` seeds the dropout masks (null: no dropout, as in evaluation):
   * stream b's masks come from (seed, layer, firstStream + b) alone, so a
   * batch split over threads draws the same masks as one thread.
   * The caller validates ids and lengths. Cost: the model's forward
   * multiply-adds for steps·B tokens, no allocation.
   */
  forward(
    inputs: Int32Array | Float32Array,
    targets: Int32Array | Float32Array,
    steps: number,
    dropout: { readonly seed: number; readonly firstStream: number } | null,
  ): number {
    const B = this.batchSize;
    const I = this.inputSize;
    const rows = steps * B;
    this.steps = steps;
    let x: Float32Array;
    if (this.embedding !== null) {
      const embedding = this.embedding;
      const embedded = this.embedded;
      for (let r = 0; r < rows; r++) {
        const token = inputs[r];
        this.tokens[r] = token;
        embedded.set(embedding.subarray(token * I, token * I + I), r * I);
      }
      this.droppingTokens = dropout !== null && this.embeddingDropout > 0;
      if (this.droppingTokens) this.dropTokens(rows, dropout!.seed);
      x = embedded;
    } else {
      x = inputs as Float32Array;
    }
    this.droppingInput = dropout !== null && this.inputDropout > 0;
    if (this.droppingInput) x = this.applyInputDropout(x, steps, dropout!.seed, dropout!.firstStream);
    const drop = dropout !== null && this.dropout > 0;
    this.dropping = drop;
    const dropRecurrent = dropout !== null && this.recurrentDropout > 0;
    for (let l = 0; l < this.layers.length; l++) {
      const layer = this.layers[l];
      if (layer instanceof RecurrentLayerGraph) {
        layer.setRecurrentMask(dropRecurrent ? this.drawRecurrentMask(l, dropout.seed, dropout.firstStream) : null);
      }
      layer.forward(x, steps);
      x = layer.output;
      if (drop) x = this.applyDropout(l, steps, dropout.seed, dropout.firstStream);
    }
    return this.head.forward(x, targets, rows) / rows;
  }

  private dropping = false;
  private droppingInput = false;
  private droppingTokens = false;

  /**
   * Embedding dropout for this window: a token's keep-or-drop draw comes from
   * (seed, token) alone, so every stream and thread drops the same words.
   */
  private dropTokens(rows: number, seed: number): void {
    const I = this.inputSize;
    const keep = 1 - this.embeddingDropout;
    const scale = 1 / keep;
    const embedded = this.embedded;
    for (let r = 0; r < rows; r++) {
      const m = (mixSeed(seed, this.tokens[r], 0, 4) >>> 0) / 4294967296 < keep ? scale : 0;
      this.tokenScales[r] = m;
      for (let k = r * I; k < r * I + I; k++) embedded[k] *= m;
    }
  }

  private readonly random = new SeededRandom(0);

  private applyDropout(l: number, steps: number, seed: number, firstStream: number): Float32Array {
    return this.drawMasks(this.layers[l].output, this.masks[l], this.dropped[l], this.hiddenSizes[l], this.dropout, steps, seed, l, firstStream, 1);
  }

  private applyInputDropout(input: Float32Array, steps: number, seed: number, firstStream: number): Float32Array {
    return this.drawMasks(input, this.inputMask, this.droppedInput, this.inputSize, this.inputDropout, steps, seed, 0, firstStream, 2);
  }

  /** Layer l's recurrent mask for this window: H_l draws per stream from (seed, l, firstStream + b, 3) alone. */
  private drawRecurrentMask(l: number, seed: number, firstStream: number): Float32Array {
    const mask = this.recurrentMasks[l];
    const H = this.hiddenSizes[l];
    const keep = 1 - this.recurrentDropout;
    const scale = 1 / keep;
    const random = this.random;
    for (let b = 0; b < this.batchSize; b++) {
      random.setState(mixSeed(seed, l, firstStream + b, 3));
      for (let j = 0; j < H; j++) mask[b * H + j] = random.next() < keep ? scale : 0;
    }
    return mask;
  }

  /**
   * Draws inverted-dropout masks of width `width` for `steps` rows of every
   * stream into mask and writes values ⊙ mask into dropped. Stream b's draws
   * come from (seed, site, firstStream + b, kind) alone.
   */
  private drawMasks(values: Float32Array, mask: Float32Array, dropped: Float32Array, width: number, p: number, steps: number, seed: number, site: number, firstStream: number, kind: number): Float32Array {
    const B = this.batchSize;
    const keep = 1 - p;
    const scale = 1 / keep;
    const random = this.random;
    for (let b = 0; b < B; b++) {
      random.setState(mixSeed(seed, site, firstStream + b, kind));
      for (let t = 0; t < steps; t++) {
        const base = (t * B + b) * width;
        for (let j = 0; j < width; j++) {
          const m = random.next() < keep ? scale : 0;
          mask[base + j] = m;
          dropped[base + j] = values[base + j] * m;
        }
      }
    }
    return dropped;
  }

  /**
   * Backpropagates the last forward window's loss, divided by `denominator`
   * (default: this window's rows, i.e. the mean loss; data-parallel workers
   * pass the whole batch's row count so their gradients simply add up), and
   * adds the gradients into the TrainableModel's gradient arrays (call
   * zeroGradients first for a fresh sum). Cost: about twice the forward.
   */
  backward(denominator = this.steps * this.batchSize): void {
    const steps = this.steps;
    const B = this.batchSize;
    const I = this.inputSize;
    const rows = steps * B;
    const L = this.layers.length;
    this.head.backward(this.dHidden[L - 1], rows, 1 / denominator);
    for (let l = L - 1; l >= 0; l--) {
      const dOutput = this.dHidden[l];
      if (this.dropping) {
        const mask = this.masks[l];
        const width = rows * this.hiddenSizes[l];
        for (let i = 0; i < width; i++) dOutput[i] *= mask[i];
      }
      const dInput = l > 0 ? this.dHidden[l - 1] : this.embedding !== null ? this.dEmbedded : null;
      this.layers[l].backward(dOutput, dInput, steps);
    }
    if (this.dEmbedding !== null) {
      const dEmbedding = this.dEmbedding;
      const dEmbedded = this.dEmbedded;
      if (this.droppingInput) {
        const mask = this.inputMask;
        for (let i = 0; i < rows * I; i++) dEmbedded[i] *= mask[i];
      }
      for (let r = 0; r < rows; r++) {
        const base = this.tokens[r] * I;
        const m = this.droppingTokens ? this.tokenScales[r] : 1;
        if (m === 0) continue;
        for (let k = 0; k < I; k++) dEmbedding[base + k] += dEmbedded[r * I + k] * m;
      }
    }
  }

  /** Live views of the carried state, for checkpoints: per layer h [B × H_l], then C [B × H_l] for an LSTM layer. */
  stateArrays(): Float32Array[] {
    const arrays: Float32Array[] = [];
    for (const layer of this.layers) {
      arrays.push(layer.h);
      if (layer.c.length > 0) arrays.push(layer.c);
    }
    return arrays;
  }

  /** The TrainableModel this graph reads and writes. */
  get model(): TrainableModel {
    return this.trainable;
  }
}
