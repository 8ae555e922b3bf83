// lstm-stream/train: the offline trainer's entry point. It is built as its
// own bundle so that the inference entry (index) never carries training code.
export { createRandomModel, type RandomModelOptions } from '../model/random-model.ts';
export { toTorchStateDict } from '../model/torch-state-dict.ts';
export { TrainingError } from './errors.ts';
export { lossAndGradients, type LossAndGradients, type LossAndGradientsOptions } from './loss-and-gradients.ts';
export { TrainableModel, type ParameterSlot, type ClassLayer, type ArrayAllocator } from './trainable-model.ts';
export { createFrequencyClasses, classesFromAssignment, largestClassSize, type OutputClasses } from './output-classes.ts';
export { NetworkGraph, type NetworkGraphOptions } from './graph/network-graph.ts';
export { languageModelData, sequenceLength, WindowBatches, type SequenceData } from './data/batches.ts';
export { Optimizer, gradientNorm, clipScale, type OptimizerSettings } from './optim/optimizer.ts';
export { evaluateLoss } from './evaluate.ts';
export { resolveTrainOptions, type TrainOptions, type ResolvedTrainOptions } from './trainer-options.ts';
export {
  train,
  splitStreams,
  type TrainRun,
  type TrainResult,
  type EpochRecord,
  type TrainProgress,
  type TrainEvent,
  type CheckpointOptions,
  type GradientWorkers,
  type WorkerFactory,
} from './trainer.ts';
export { encodeCheckpoint, decodeCheckpoint, type CheckpointData } from './checkpoint/checkpoint-codec.ts';
export { runGradientWorker } from './parallel/worker-main.ts';
export { parseTokenLines, readTokenFile, buildVocabulary, encodeTokens, type VocabularyOptions } from './data/token-file.ts';
export type { OutputClassesMetadata } from './class-distribution.ts';
export { trainedModel, exportTrainedModel, type TrainedModelExtras } from './export-model.ts';
export { renderHtmlReport, type ReportInput } from './report/html-report.ts';
