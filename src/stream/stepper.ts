import { ErrorCode } from '../errors.ts';
import { InputError } from '../model/errors.ts';
import type { Model } from '../model/model.ts';
import { Session } from '../model/session.ts';
import { tokenizerOf } from '../text/create-tokenizer.ts';
import { predictorOf } from '../text/predict-next.ts';
import type { NextTokenPredictor, Prediction } from '../text/prediction.ts';
import type { Tokenizer } from '../text/tokenizer.ts';
import { StreamOptionError } from './errors.ts';

/** What a producer pushes: a token id, text (tokenized with the model's tokenizer) or a Float32Array vector. */
export type StreamInput = number | string | Float32Array;

/** A pushed text split into tokens, ids[i] being the id of tokens[i]. */
export interface TokenizedText {
  readonly ids: readonly number[];
  readonly tokens: readonly string[];
}

/** One step's result, in push order. */
export interface StreamResult {
  /** What was stepped: the pushed id or vector, or one token's string of a pushed text. */
  readonly input: number | string | Float32Array;
  /** The token id stepped; null for a vector input. */
  readonly id: number | null;
  /** The step's output (logits, head output, or top h): a copy, or borrowed when the stream says so. */
  readonly output: Float32Array;
  /** The k most likely next tokens, when the stream was made with `top: k`. */
  readonly top?: Prediction[];
}

/**
 * What a stream steps: a Session, or anything shaped like one, such as an
 * AdaptiveSession (lstm-stream's adaptation): `step` takes the token as the
 * writer typed it too, and when it has `predictNext` (and is not a plain
 * Session, whose step's logits the shared predictor ranks directly) `top`
 * comes from it, so a stream's predictions are the session's own (new
 * words, no unknown token).
 */
export interface StreamSession {
  readonly model: Model;
  readonly position: number;
  step(input: number | Float32Array, typed?: string): Float32Array;
  predictNext?(k: number): Prediction[];
}

/**
 * Turns one stream's inputs into results on its session: tokenizes text,
 * steps, copies or lends the output, adds top-k predictions. Holds no buffers
 * of its own (the tokenizer and predictor are shared per model).
 */
export class StreamStepper {
  readonly session: StreamSession;
  /** The session ranks its own predictions (an adaptive session), instead of the shared predictor. */
  private readonly ownPredictions: boolean;
  private readonly tokenizer: Tokenizer | null;
  private readonly predictor: NextTokenPredictor | null;
  private readonly top: number;
  private readonly copy: boolean;

  /** Throws StreamOptionError (STREAM_OPTION_INVALID) when `top` is asked of a model without a softmax head. */
  constructor(session: StreamSession, top: number, copy: boolean) {
    const model = session.model;
    this.session = session;
    this.ownPredictions = !(session instanceof Session) && typeof session.predictNext === 'function';
    this.tokenizer = tokenizerOf(model);
    this.top = top;
    this.copy = copy;
    this.predictor = null;
    if (top > 0) {
      if (model.head === null || model.head.kind !== 'softmax') {
        throw new StreamOptionError(ErrorCode.STREAM_OPTION_INVALID, `top is ${top}, but the model has ${model.head === null ? 'no head' : `a ${model.head.kind} head`}; top-k needs a softmax head`);
      }
      // One predictor per model (predictorOf), shared with predictNext: JavaScript
      // runs one step at a time, so a stream costs nothing extra for `top`.
      this.predictor = predictorOf(model);
    }
  }

  /**
   * The token ids and strings of a pushed text. Throws InputError
   * (INPUT_KIND_MISMATCH) when the model has no tokenizer. Allocates.
   */
  tokenize(text: string): TokenizedText {
    if (this.tokenizer === null) {
      throw new InputError(
        ErrorCode.INPUT_KIND_MISMATCH,
        `step ${this.session.position}: got text ${JSON.stringify(text.slice(0, 40))}, but the model has no tokenizer and vocabulary; push token ids`,
      );
    }
    const tokens = this.tokenizer.split(text);
    const vocabulary = this.tokenizer.vocabulary;
    return { ids: tokens.map((token) => vocabulary.idOf(token)), tokens };
  }

  /** Steps the session on one id or vector and packs the result. Session errors (InputError) propagate. */
  step(input: number | string | Float32Array, stepped: number | Float32Array): StreamResult {
    const view = typeof input === 'string' ? this.session.step(stepped, input) : this.session.step(stepped);
    const output = this.copy ? view.slice() : view;
    const id = typeof stepped === 'number' ? stepped : null;
    if (this.predictor === null) return { input, id, output };
    const top = this.ownPredictions ? this.session.predictNext!(this.top) : this.predictor.predict(view, this.top);
    return { input, id, output, top };
  }
}
