// lstm-stream/train: the offline trainer's entry point. It is built as its
// own bundle so that the inference entry (index) never carries training code.
// The trainer itself (BPTT, optimizers, checkpoints) is issue 4's work and
// lands here; until then this entry re-exports the model builders a training
// script starts from.
export { createRandomModel, type RandomModelOptions } from '../model/random-model.ts';
export { toTorchStateDict } from '../model/torch-state-dict.ts';
