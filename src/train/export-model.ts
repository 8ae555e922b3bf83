import { saveModel } from '../format/save-model.ts';
import type { TensorDtype } from '../format/model-file.ts';
import { Model, type TokenizerSettings } from '../model/model.ts';
import type { OutputClassesMetadata } from './class-distribution.ts';
import type { TrainResult } from './trainer.ts';

/** What to attach to a trained model besides its weights. */
export interface TrainedModelExtras {
  /** The string of every token id (token models). */
  readonly vocabulary?: readonly string[] | null;
  readonly tokenizer?: TokenizerSettings | null;
  /** Merged into the metadata after the training summary. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * The trained Model with its vocabulary, tokenizer and metadata: a
 * `training` summary (options, per-epoch losses) and, for a factorized
 * output, `outputClasses` (see {@link OutputClassesMetadata}; the Model
 * reads it back as model.outputClasses, and its sessions give P(w|h) over all words).
 * Shares the result's weight arrays. Cold path.
 */
export function trainedModel(result: TrainResult, extras: TrainedModelExtras = {}): Model {
  const m = result.model;
  const metadata: Record<string, unknown> = {
    training: {
      trainer: 'lstm-stream/train',
      options: { ...result.options },
      epochs: result.history.map((r) => ({ epoch: r.epoch, trainLoss: r.trainLoss, validLoss: r.validLoss, learningRate: r.learningRate })),
    },
  };
  if (result.classes !== null) {
    const classes: OutputClassesMetadata = {
      classCount: result.classes.classes.classCount,
      classOf: Array.from(result.classes.classes.classOf),
      weight: Array.from({ length: result.classes.classes.classCount }, (_, c) => {
        const H = result.classes!.weight.length / result.classes!.classes.classCount;
        return Array.from(result.classes!.weight.subarray(c * H, (c + 1) * H));
      }),
      bias: Array.from(result.classes.bias),
    };
    metadata.outputClasses = {
      ...classes,
      note: 'factorized softmax: log P(w|h) = log softmax(weight·h + bias)[classOf[w]] + logits[w] − logsumexp of logits over the words of that class',
    };
  }
  Object.assign(metadata, extras.metadata ?? {});
  return new Model({
    embedding: m.embedding,
    layers: m.layers,
    head: m.head,
    vocabulary: extras.vocabulary ?? m.vocabulary,
    tokenizer: extras.tokenizer ?? m.tokenizer,
    metadata,
  });
}

/**
 * Writes the trained model (see {@link trainedModel}) as a model file with
 * the chosen dtype ('f32', 'f16' or 'q8'), atomically. Resolves to the bytes
 * written. Every weight is finite (a Model cannot hold another), so a broken
 * model is never written. Throws FormatError / SourceError from the format room.
 */
export async function exportTrainedModel(path: string, result: TrainResult, options: TrainedModelExtras & { dtype?: TensorDtype } = {}): Promise<number> {
  return saveModel(path, trainedModel(result, options), { dtype: options.dtype ?? 'f32' });
}
