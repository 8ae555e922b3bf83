// lstm-stream: the inference entry. It never imports the trainer, the
// importers or the CLI, so a bundle of it carries only what runs a model.
export { ErrorCode, LstmStreamError, type ErrorCodeValue } from './errors.ts';

export { matVecInto } from './math/matvec.ts';
export { sigmoid, sigmoidInto, hardSigmoid, tanhInto, reluInto } from './math/activations.ts';
export { softmaxInto, logSoftmaxInto, logSumExp } from './math/softmax.ts';
export { classLogProbabilitiesInPlace, classScratchSize, type OutputClassLayer } from './math/class-softmax.ts';
export { topKInto } from './math/top-k.ts';
export { SeededRandom } from './math/random.ts';
export type { WeightMatrix } from './math/matrix.ts';
export { F32Matrix } from './math/f32-matrix.ts';
export { setKernelBackend, kernelBackend, setQ8KernelMode, q8KernelMode, type KernelBackend } from './math/wasm/kernel-backend.ts';
export { wasmSimdSupported } from './math/wasm/kernel-module.ts';

export { CELL_KINDS, GATE_ACTIVATIONS, gateCountOf, biasLengthOf, isGru, hasGates, type CellKind, type GateActivation, type RecurrentCell } from './cells/cell.ts';
export { LstmCell } from './cells/lstm-cell.ts';
export { ElmanCell } from './cells/elman-cell.ts';
export { GruCell, type GruVariant } from './cells/gru-cell.ts';

export {
  validateArchitecture,
  gateActivationOf,
  cellOf,
  hiddenSizeOf,
  layerInputSizeOf,
  topHiddenSize,
  isMixedStack,
  hiddenOffsetOf,
  hiddenStateSize,
  cellStateOffsetOf,
  cellStateSize,
  stateSizeOf,
  describeLayers,
  type Architecture, type LayerArchitecture, type HeadKind, type InputKind } from './model/architecture.ts';
export { InputError, ConfigError } from './model/errors.ts';
export { Model, type ModelParts, type Head, type TokenizerSettings } from './model/model.ts';
export { Session } from './model/session.ts';
export { createCell, type CellOptions } from './model/build-layer.ts';
export { createRandomModel, type RandomModelOptions } from './model/random-model.ts';
export { fromTorchStateDict, toTorchStateDict, type TorchTensor, type FromTorchOptions } from './model/torch-state-dict.ts';

// Text: tokenizers, vocabulary, sampling, next-token prediction (issue 6).
export { TextError } from './text/errors.ts';
export { Vocabulary } from './text/vocabulary.ts';
export type { Tokenizer, TokenizerOptions } from './text/tokenizer.ts';
export { WordTokenizer } from './text/word-tokenizer.ts';
export { CharTokenizer } from './text/char-tokenizer.ts';
export { splitWords, joinWords } from './text/word-split.ts';
export { createTokenizer, tokenizerOf } from './text/create-tokenizer.ts';
export { Sampler, type SamplingOptions } from './text/sampler.ts';
export { NextTokenPredictor, type Prediction } from './text/prediction.ts';
export { predictNext } from './text/predict-next.ts';
export { generate, type GenerateOptions, type Generation } from './text/generate.ts';
export { evaluateLanguageModel, type EvaluateOptions, type Evaluation } from './text/evaluate.ts';

// A text field edited anywhere, stepped incrementally; word completion by prefix (issue 17).
export {
  TextTracker,
  DEFAULT_MAX_BOUNDARIES,
  type TextTrackerOptions,
  type TextSuggestion,
  type TrackableSession,
  type TrackedModelLike,
} from './text/text-tracker.ts';
export {
  LearningTextTracker,
  DEFAULT_SENTENCE_ENDS,
  type LearningTextTrackerOptions,
  type LearnerSession,
  type EditingSession,
} from './text/learning-text-tracker.ts';
export { PrefixIndex, prefixIndexOf } from './text/prefix-index.ts';

// Adaptation to the writer, inference half: the recency cache, new words
// (issue 14). Dynamic evaluation is in lstm-stream/adapt.
export { AdaptiveSession, adaptiveSession, type AdaptivePrediction } from './adapt/adaptive-session.ts';
export type { AdaptationOptions } from './adapt/adaptation-options.ts';
export type { WeightAdaptation } from './adapt/weight-adaptation.ts';
export { ContinuousCache } from './adapt/continuous-cache.ts';
export { DEFAULT_CACHE, resolveCacheOptions, type CacheOptions, type ResolvedCacheOptions } from './adapt/cache-options.ts';
export { NewWordTable } from './adapt/new-words.ts';
export { AdaptError } from './adapt/adapt-error.ts';
export { profileOf, applyProfile, fingerprintOf, type ProfileOfOptions } from './adapt/session-profile.ts';
export { encodeProfile, decodeProfile } from './adapt/profile/profile-codec.ts';
export { saveProfile, loadProfile, type LoadProfileOptions } from './adapt/profile/profile-file.ts';
export { modelFingerprint } from './adapt/profile/model-fingerprint.ts';
export { checkProfileFor } from './adapt/profile/check-profile-for.ts';
export { ProfileError } from './adapt/profile/profile-error.ts';
export { DEFAULT_PROFILE_LIMITS, type ProfileLimits } from './adapt/profile/profile-limits.ts';
export { PROFILE_FORMAT_NAME, PROFILE_FORMAT_VERSION } from './adapt/profile/profile-document.ts';
export type { AdaptationProfile, ProfileCache, ProfileNewWord, ProfileDelta } from './adapt/profile/profile-contents.ts';

// Push-based streams (issue 6).
export { createStream, isStreaming } from './stream/create-stream.ts';
export { PushStream } from './stream/push-stream.ts';
export type { StreamOptions, OverflowPolicy } from './stream/options.ts';
export type { StreamInput, StreamResult, StreamSession } from './stream/stepper.ts';
export { StreamClosedError, StreamOverflowError, StreamOptionError } from './stream/errors.ts';

// The model file: encode, decode, load, save, quantize (issue 3).
export { FormatError } from './format/errors.ts';
export { SourceError } from './io/errors.ts';
export { loadModel, type LoadOptions } from './format/load-model.ts';
export { decodeModel, type DecodeOptions } from './format/decode-model.ts';
export { encodeModel, type EncodeOptions } from './format/encode-model.ts';
export { saveModel } from './format/save-model.ts';
export { quantizeModel } from './format/quantize-model.ts';
export { readModelFile, type ReadOptions } from './format/read-model-file.ts';
export { DEFAULT_LIMITS, type FormatLimits } from './format/limits.ts';
export {
  FORMAT_NAME,
  FORMAT_VERSION,
  FORMAT_VERSIONS,
  formatVersionOf,
  TENSOR_DTYPES,
  type TensorDtype,
  type ModelFile,
  type FileTensor,
  type ChecksumStatus,
} from './format/model-file.ts';
export { crc32 } from './format/crc32.ts';
export type { ByteSource } from './io/read-source.ts';
export { Q8Matrix } from './math/q8-matrix.ts';
export { Q4Matrix } from './math/q4-matrix.ts';
export { q4MatVecInto } from './math/q4-matvec.ts';
export { q8MatVecInto } from './math/q8-matvec.ts';
export { float32ToFloat16Bits, float16BitsToFloat32, float32ToFloat16Into, float16ToFloat32Into } from './math/f16.ts';
