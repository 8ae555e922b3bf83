import { ErrorCode } from '../errors.ts';
import { classLogProbabilitiesInPlace, classScratchSize, type OutputClassLayer } from '../math/class-softmax.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { TextError } from './errors.ts';
import { NextTokenPredictor, type Prediction } from './prediction.ts';

// text/ may not import model/ (the arrows point down), so the session and
// model are described by the few fields read here; Session and Model fit.

/** The parts of a Model that next-token prediction reads. */
export interface PredictingModelLike {
  readonly head: { readonly kind: string; readonly weight: WeightMatrix; readonly bias: Float32Array } | null;
  readonly vocabulary: readonly string[] | null;
  /** A factorized output (Model.outputClasses); absent or null for a plain softmax. */
  readonly outputClasses?: OutputClassLayer | null;
}

/** The parts of a Session that next-token prediction reads: its live h and its model. */
export interface PredictingSessionLike {
  readonly h: Float32Array;
  readonly model: PredictingModelLike;
  /** The last step's output while it is still the current state's, else null (Session.currentOutput); absent: always recompute. */
  currentOutput?(): Float32Array | null;
}

interface PredictionScratch {
  readonly logits: Float32Array; // [outputSize]
  readonly predictor: NextTokenPredictor;
  readonly classScratch: Float32Array;
}

const scratchByModel = new WeakMap<object, PredictionScratch>();

/**
 * The k most likely next tokens after everything the session has read, with
 * their probabilities: `[{ token, id, probability }]`, most likely first.
 * It ranks the last step's logits when the session says they are still the
 * current state's (currentOutput), else recomputes the head from the
 * session's top-layer h (after restore(), reset() or a write into h), so it
 * always reads the current state without stepping it.
 * Throws TextError (NOT_A_LANGUAGE_MODEL) when the model has no softmax head.
 * A factorized output (model.outputClasses) is taken into account.
 * Cost: a log-normalizer and a top-k selection over outputSize (see
 * NextTokenPredictor), plus one head pass (outputSize·H multiply-adds) when
 * it recomputes; the scratch is made once per model and shared; allocates
 * the k results.
 * Not reentrant across threads (there are none in JS), fine across sessions.
 */
export function predictNext(session: PredictingSessionLike, k: number): Prediction[] {
  const model = session.model;
  const head = model.head;
  if (head === null || head.kind !== 'softmax') {
    throw new TextError(
      ErrorCode.NOT_A_LANGUAGE_MODEL,
      `predictNext needs a model with a softmax head; this one has ${head === null ? 'no head' : `a ${head.kind} head`}`,
    );
  }
  const current = session.currentOutput === undefined ? null : session.currentOutput();
  if (current !== null) return predictorOf(model).predict(current, k);
  let scratch = scratchByModel.get(model);
  if (scratch === undefined) {
    const classes = model.outputClasses ?? null;
    scratch = {
      logits: new Float32Array(head.weight.rows),
      predictor: predictorOf(model),
      classScratch: new Float32Array(classes === null ? 0 : classScratchSize(classes)),
    };
    scratchByModel.set(model, scratch);
  }
  // The top layer's h is the last one in session.h, as wide as the head's columns (layers may differ in size).
  const top = session.h.length - head.weight.cols;
  head.weight.multiplyInto(scratch.logits, session.h, top, head.bias);
  const classes = model.outputClasses ?? null;
  if (classes !== null) classLogProbabilitiesInPlace(scratch.logits, session.h, top, classes, scratch.classScratch);
  return scratch.predictor.predict(scratch.logits, k);
}

const predictorByModel = new WeakMap<object, NextTokenPredictor>();

/**
 * The NextTokenPredictor of a model with a softmax head, made on first use
 * and shared by every session and stream of the model (JavaScript runs one
 * at a time). Cold path once per model.
 */
export function predictorOf(model: PredictingModelLike): NextTokenPredictor {
  let predictor = predictorByModel.get(model);
  if (predictor === undefined) {
    predictor = new NextTokenPredictor(model.head!.weight.rows, model.vocabulary);
    predictorByModel.set(model, predictor);
  }
  return predictor;
}
