import { ErrorCode } from '../errors.ts';
import { classLogProbabilitiesInPlace, classScratchSize } from '../math/class-softmax.ts';
import { kernelBackend } from '../math/wasm/kernel-backend.ts';
import { createStream } from '../stream/create-stream.ts';
import type { StreamOptions } from '../stream/options.ts';
import type { PushStream } from '../stream/push-stream.ts';
import { predictNext } from '../text/predict-next.ts';
import type { Prediction } from '../text/prediction.ts';
import { checkToken } from './check-token.ts';
import { InputError } from './errors.ts';
import type { Model } from './model.ts';
import { cellStateSize, describeLayers, hiddenOffsetOf, hiddenStateSize, topHiddenSize } from './architecture.ts';
import { createStepBuffers, stepBufferBytes, type StepBuffers } from './step-buffers.ts';
import { stepKernelsFor, type HeadKernel, type LayerKernel } from './step-kernels.ts';

/**
 * One stream's recurrent state and scratch buffers over a shared Model.
 * Everything is allocated when the session is made; `step` allocates nothing.
 * Not safe to step from two places at once (it is one stream).
 */
export class Session {
  readonly model: Model;
  /**
   * Live, writable hidden state: every layer's h end to end, bottom first,
   * each of its own size ([numLayers × hiddenSize] for a plain stack; layer
   * l starts at hiddenOffsetOf(architecture, l)).
   */
  readonly h: Float32Array;
  /**
   * Live, writable LSTM cell state: the C of every LSTM layer end to end,
   * bottom first (see cellStateOffsetOf); null when no layer is an LSTM
   * (Elman and GRU state is h alone).
   */
  readonly c: Float32Array | null;
  /** Steps taken since creation or the last reset; used to say where bad input was. */
  position = 0;
  private readonly buffers: StepBuffers;
  /**
   * The model's shared WebAssembly kernels, per layer (null entries step in
   * TypeScript), or null when this session steps in TypeScript throughout.
   */
  private readonly layerKernels: readonly (LayerKernel | null)[] | null;
  private readonly headKernel: HeadKernel | null;
  /** [L] each layer's input: a view of xh[0 … I) for layer 0, the layer below's h above it. */
  private readonly layerInputs: readonly Float32Array[];
  /** [3·C] for a factorized output (model.outputClasses), else empty. */
  private readonly classScratch: Float32Array;
  /** [H_top] the top layer's h, as bits, that the last step's output was computed from (see currentOutput). */
  private readonly stepTopBits: Int32Array;
  /** [H_top] a bit view of the top layer's live h (a view of this.h). */
  private readonly topBits: Int32Array;
  /** Where the top layer's h starts in this.h: what the head reads. */
  private readonly topOffset: number;
  /** True from a step until reset, restore or discardOutput: the output may still be the state's (see currentOutput). */
  private outputFresh = false;

  /**
   * Prefer `model.session()`. Allocates state and scratch (see
   * {@link Session.byteLength}); the model's first WebAssembly session also
   * copies its f32 weights into WebAssembly memory, once per model.
   */
  constructor(model: Model) {
    const a = model.architecture;
    this.model = model;
    this.h = new Float32Array(hiddenStateSize(a));
    const cLength = cellStateSize(a);
    this.c = cLength > 0 ? new Float32Array(cLength) : null;
    const kernels = kernelBackend() === 'wasm' ? stepKernelsFor(model) : null;
    this.layerKernels = kernels === null ? null : kernels.layers;
    this.headKernel = kernels === null ? null : kernels.head;
    this.buffers = createStepBuffers(a, this.h, this.c);
    const { xh, hLayers } = this.buffers;
    this.layerInputs = hLayers.map((_, l) => (l === 0 ? xh.subarray(0, a.inputSize) : hLayers[l - 1]));
    this.classScratch = new Float32Array(model.outputClasses === null ? 0 : classScratchSize(model.outputClasses));
    this.topOffset = hiddenOffsetOf(a, a.numLayers - 1);
    this.stepTopBits = new Int32Array(topHiddenSize(a));
    this.topBits = new Int32Array(this.h.buffer, this.h.byteOffset + this.topOffset * 4, topHiddenSize(a));
  }

  /** Bytes this session owns: state (h, c) plus scratch. The weights (and the WebAssembly kernels' memory) are the model's. */
  get byteLength(): number {
    return this.stateSize * 4 + stepBufferBytes(this.model.architecture) + this.classScratch.byteLength + this.stepTopBits.byteLength;
  }

  /** Number of floats in a snapshot: h, then c for the LSTM layers (stateSizeOf(architecture)). */
  get stateSize(): number {
    return this.h.length + (this.c === null ? 0 : this.c.length);
  }

  /**
   * Advances the stream by one input: a token id (embedding models) or a
   * Float32Array of length inputSize (dense models). Returns a borrowed view —
   * the logits, the head's output, or the top layer's h when there is no head —
   * that the next step overwrites; copy it to keep it. For a factorized output
   * (model.outputClasses) it returns log P(w|h) over every word, which are
   * logits too (softmax of them is the distribution).
   * Throws InputError for a wrong kind, an id out of range or not an integer,
   * a wrong length, or a non-finite value, before touching the state.
   * Cost: Σ_l gateCount·H·(I_l + H) + outputSize·H multiply-adds (plus
   * C·H + 2·outputSize and outputSize exps with output classes), plus an H
   * copy that lets predictNext reuse the output; no allocation.
   * predictNext ranks this view while the state is unchanged (see
   * currentOutput): a caller that writes into it must call discardOutput().
   */
  step(input: number | Float32Array): Float32Array {
    if (typeof input === 'number') this.loadToken(input);
    else this.loadVector(input);
    return this.advance();
  }

  /** Zeroes h and c and the position, as at creation. No allocation. */
  reset(): void {
    this.outputFresh = false;
    this.h.fill(0);
    if (this.c !== null) this.c.fill(0);
    this.position = 0;
  }

  /** A copy of the state: h (every layer's, end to end), then c (the LSTM layers'). Allocates stateSize floats. */
  snapshot(): Float32Array {
    return this.snapshotInto(new Float32Array(this.stateSize));
  }

  /** Writes the state (as {@link snapshot} lays it out) into out and returns it. No allocation. */
  snapshotInto(out: Float32Array): Float32Array {
    this.checkSnapshot(out, 'snapshotInto');
    out.set(this.h, 0);
    if (this.c !== null) out.set(this.c, this.h.length);
    return out;
  }

  /**
   * Sets the state from a snapshot of a session of the same architecture.
   * Throws InputError when its length is wrong or a value is not finite. No allocation.
   */
  restore(snapshot: Float32Array): void {
    this.checkSnapshot(snapshot, 'restore');
    for (let i = 0; i < snapshot.length; i++) {
      if (!Number.isFinite(snapshot[i])) {
        throw new InputError(ErrorCode.SNAPSHOT_NOT_FINITE, `restore: snapshot element ${i} is ${snapshot[i]}`);
      }
    }
    const hLength = this.h.length;
    this.outputFresh = false;
    this.h.set(snapshot.subarray(0, hLength));
    if (this.c !== null) this.c.set(snapshot.subarray(hLength, hLength + this.c.length));
  }

  /**
   * The last step's output when it is still the output of the current state,
   * else null. It is when a step came since creation, reset(), restore() and
   * discardOutput(), and the top layer's h equals, bit for bit, what that
   * step left (so a write through the live `h` view, or a restore of the same
   * values, is caught by the compare; the output depends on the top layer's h
   * alone, the model being immutable). Cost: at most H integer compares; no allocation.
   */
  currentOutput(): Float32Array | null {
    if (!this.outputFresh) return null;
    const live = this.topBits;
    const kept = this.stepTopBits;
    for (let i = 0; i < live.length; i++) {
      if (live[i] !== kept[i]) {
        this.outputFresh = false;
        return null;
      }
    }
    return this.buffers.output;
  }

  /**
   * Says the last step's output was written over (mixed in place, say), so
   * predictNext recomputes from h until the next step. No allocation.
   */
  discardOutput(): void {
    this.outputFresh = false;
  }

  /**
   * The k most likely next tokens after everything this session has read,
   * `[{ token, id, probability }]`, most likely first, without stepping.
   * Throws TextError (NOT_A_LANGUAGE_MODEL) without a softmax head.
   * Cost: right after a step (currentOutput), H compares, a log-sum-exp over
   * the step's logits and a top-k selection; otherwise one head pass first.
   * Allocates the k results.
   */
  predictNext(k: number): Prediction[] {
    return predictNext(this, k);
  }

  /**
   * A push-based async iterator over this session (see createStream): push
   * inputs, `for await` the results. Throws StreamOptionError when another
   * open stream is stepping this session. Cost: a queue of highWaterMark slots.
   */
  stream(options?: StreamOptions): PushStream {
    return createStream(this, options);
  }

  /** A new session on the same model with a copy of this state and position. Allocates one session. */
  fork(): Session {
    const copy = new Session(this.model);
    copy.h.set(this.h);
    if (this.c !== null && copy.c !== null) copy.c.set(this.c);
    copy.position = this.position;
    return copy;
  }

  private checkSnapshot(snapshot: Float32Array, where: string): void {
    if (!(snapshot instanceof Float32Array) || snapshot.length !== this.stateSize) {
      const got = snapshot instanceof Float32Array ? `${snapshot.length} floats` : describe(snapshot);
      throw new InputError(
        ErrorCode.SNAPSHOT_SIZE_MISMATCH,
        `${where}: snapshot is ${got}, expected a Float32Array of ${this.stateSize} (h${this.c === null ? '' : ' and c'} of ${this.model.architecture.numLayers} layers: ${describeLayers(this.model.architecture)})`,
      );
    }
  }

  private loadToken(token: number): void {
    const a = this.model.architecture;
    const embedding = this.model.embedding;
    if (embedding === null) {
      throw new InputError(
        ErrorCode.INPUT_KIND_MISMATCH,
        `step ${this.position}: got token id ${token}, but this model takes Float32Array vectors of length ${a.inputSize}`,
      );
    }
    checkToken(token, a.vocabSize, this.position);
    embedding.rowInto(this.buffers.xh, 0, token);
  }

  private loadVector(x: Float32Array): void {
    const a = this.model.architecture;
    if (this.model.embedding !== null) {
      throw new InputError(
        ErrorCode.INPUT_KIND_MISMATCH,
        `step ${this.position}: got ${describe(x)}, but this model takes token ids in [0, ${a.vocabSize})`,
      );
    }
    if (!(x instanceof Float32Array)) {
      throw new InputError(
        ErrorCode.INPUT_KIND_MISMATCH,
        `step ${this.position}: got ${describe(x)}, expected a Float32Array of length ${a.inputSize}`,
      );
    }
    if (x.length !== a.inputSize) {
      throw new InputError(
        ErrorCode.INPUT_LENGTH_MISMATCH,
        `step ${this.position}: input vector has length ${x.length}, expected ${a.inputSize}`,
      );
    }
    // One compare per element: NaN fails it too. Past the model's inputLimit a
    // finite input could overflow float32 in the first layer (see Model.inputLimit).
    const limit = this.model.inputLimit;
    for (let i = 0; i < x.length; i++) {
      if (!(Math.abs(x[i]) <= limit)) {
        if (!Number.isFinite(x[i])) throw new InputError(ErrorCode.INPUT_NOT_FINITE, `step ${this.position}: input element ${i} is ${x[i]}`);
        throw new InputError(ErrorCode.INPUT_OUT_OF_RANGE, `step ${this.position}: input element ${i} is ${x[i]}, beyond this model's input limit ${limit.toExponential(3)} (a larger value could overflow float32 in the first layer)`);
      }
    }
    this.buffers.xh.set(x, 0);
  }

  /** Runs the stack and head on the input already in xh[0 … I). */
  private advance(): Float32Array {
    const model = this.model;
    const layers = model.layers;
    const { xh, gates, hLayers, cLayers, output } = this.buffers;
    const kernels = this.layerKernels;
    for (let l = 0; l < layers.length; l++) {
      const kernel = kernels === null ? null : kernels[l];
      if (kernel !== null) {
        kernel.stepInto(hLayers[l], cLayers[l], this.layerInputs[l]);
        continue;
      }
      // [x; h] for this layer: its input (in place for layer 0), then its own previous h; each layer has its own widths.
      if (l > 0) xh.set(hLayers[l - 1], 0);
      xh.set(hLayers[l], layers[l].inputSize);
      layers[l].stepInto(hLayers[l], cLayers[l], xh, gates);
    }
    const head = model.head;
    const top = this.topOffset;
    if (this.headKernel !== null) this.headKernel.multiplyInto(output, hLayers[layers.length - 1]);
    else if (head !== null) head.weight.multiplyInto(output, this.h, top, head.bias);
    if (model.outputClasses !== null) classLogProbabilitiesInPlace(output, this.h, top, model.outputClasses, this.classScratch);
    this.stepTopBits.set(this.topBits);
    this.outputFresh = true;
    this.position++;
    return output;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}
