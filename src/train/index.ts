// lstm-stream/train: the offline trainer's entry point. It is built as its
// own bundle so that the inference entry (index) never carries training code.
export { createRandomModel, type RandomModelOptions } from '../model/random-model.ts';
export { toTorchStateDict } from '../model/torch-state-dict.ts';
export { TrainingError } from './errors.ts';
export { lossAndGradients, type LossAndGradients, type LossAndGradientsOptions } from './loss-and-gradients.ts';
export { TrainableModel, type ParameterSlot, type ClassLayer } from './trainable-model.ts';
export { createFrequencyClasses, classesFromAssignment, largestClassSize, type OutputClasses } from './output-classes.ts';
export { NetworkGraph, type NetworkGraphOptions } from './graph/network-graph.ts';
