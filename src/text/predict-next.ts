import { ErrorCode } from '../errors.ts';
import { classLogProbabilitiesInPlace, classScratchSize, type OutputClassLayer } from '../math/class-softmax.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { TextError } from './errors.ts';
import { NextTokenPredictor, type Prediction } from './prediction.ts';

// text/ may not import model/ (the arrows point down), so the session and
// model are described by the few fields read here; Session and Model fit.

/** The parts of a Model that next-token prediction reads. */
export interface PredictingModelLike {
  readonly architecture: { readonly hiddenSize: number; readonly numLayers: number };
  readonly head: { readonly kind: string; readonly weight: WeightMatrix; readonly bias: Float32Array } | null;
  readonly vocabulary: readonly string[] | null;
  /** A factorized output (Model.outputClasses); absent or null for a plain softmax. */
  readonly outputClasses?: OutputClassLayer | null;
}

/** The parts of a Session that next-token prediction reads: its live h and its model. */
export interface PredictingSessionLike {
  readonly h: Float32Array;
  readonly model: PredictingModelLike;
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
 * It recomputes the head from the session's top-layer h, so it reads the
 * session's current state (after restore() too) without stepping it.
 * Throws TextError (NOT_A_LANGUAGE_MODEL) when the model has no softmax head.
 * A factorized output (model.outputClasses) is taken into account.
 * Cost: one head pass (outputSize·H multiply-adds) and one softmax; the
 * scratch is made once per model and shared; allocates the k results.
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
  let scratch = scratchByModel.get(model);
  if (scratch === undefined) {
    const classes = model.outputClasses ?? null;
    scratch = {
      logits: new Float32Array(head.weight.rows),
      predictor: new NextTokenPredictor(head.weight.rows, model.vocabulary),
      classScratch: new Float32Array(classes === null ? 0 : classScratchSize(classes)),
    };
    scratchByModel.set(model, scratch);
  }
  const { hiddenSize, numLayers } = model.architecture;
  head.weight.multiplyInto(scratch.logits, session.h, (numLayers - 1) * hiddenSize, head.bias);
  const classes = model.outputClasses ?? null;
  if (classes !== null) classLogProbabilitiesInPlace(scratch.logits, session.h, (numLayers - 1) * hiddenSize, classes, scratch.classScratch);
  return scratch.predictor.predict(scratch.logits, k);
}
