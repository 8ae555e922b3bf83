/**
 * Stable error codes. A code never changes meaning once released; callers
 * branch on `error.code`, never on the message text.
 */
export const ErrorCode = {
  // Step input (InputError)
  TOKEN_NOT_INTEGER: 'TOKEN_NOT_INTEGER',
  TOKEN_OUT_OF_RANGE: 'TOKEN_OUT_OF_RANGE',
  INPUT_KIND_MISMATCH: 'INPUT_KIND_MISMATCH',
  INPUT_LENGTH_MISMATCH: 'INPUT_LENGTH_MISMATCH',
  INPUT_NOT_FINITE: 'INPUT_NOT_FINITE',
  SNAPSHOT_SIZE_MISMATCH: 'SNAPSHOT_SIZE_MISMATCH',
  SNAPSHOT_NOT_FINITE: 'SNAPSHOT_NOT_FINITE',
  // Model construction (ConfigError)
  INVALID_CONFIG: 'INVALID_CONFIG',
  MISSING_TENSOR: 'MISSING_TENSOR',
  UNEXPECTED_TENSOR: 'UNEXPECTED_TENSOR',
  TENSOR_SHAPE_MISMATCH: 'TENSOR_SHAPE_MISMATCH',
  TENSOR_DATA_LENGTH: 'TENSOR_DATA_LENGTH',
  WEIGHT_NOT_FINITE: 'WEIGHT_NOT_FINITE',
  // Text: tokenizers, vocabularies, sampling (TextError)
  VOCABULARY_INVALID: 'VOCABULARY_INVALID',
  UNKNOWN_TOKEN: 'UNKNOWN_TOKEN',
  TOKENIZER_INVALID: 'TOKENIZER_INVALID',
  SAMPLING_OPTION_INVALID: 'SAMPLING_OPTION_INVALID',
  NOT_A_LANGUAGE_MODEL: 'NOT_A_LANGUAGE_MODEL',
  // Push-based streams (StreamClosedError, StreamOverflowError, StreamOptionError)
  STREAM_ENDED: 'STREAM_ENDED',
  STREAM_CANCELLED: 'STREAM_CANCELLED',
  STREAM_ABORTED: 'STREAM_ABORTED',
  STREAM_FAILED: 'STREAM_FAILED',
  STREAM_QUEUE_FULL: 'STREAM_QUEUE_FULL',
  STREAM_TOO_MANY_PENDING: 'STREAM_TOO_MANY_PENDING',
  STREAM_SESSION_BUSY: 'STREAM_SESSION_BUSY',
  STREAM_OPTION_INVALID: 'STREAM_OPTION_INVALID',
  // Training (TrainingError, in train/)
  TRAINING_DATA_INVALID: 'TRAINING_DATA_INVALID',
  TRAINING_OPTION_INVALID: 'TRAINING_OPTION_INVALID',
  TRAINING_DIVERGED: 'TRAINING_DIVERGED',
  CHECKPOINT_INVALID: 'CHECKPOINT_INVALID',
  // Model files (FormatError, in format/) and byte sources (SourceError, in io/)
  NOT_MSGPACK: 'NOT_MSGPACK',
  WRONG_FORMAT: 'WRONG_FORMAT',
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  UNKNOWN_DTYPE: 'UNKNOWN_DTYPE',
  INVALID_FIELD: 'INVALID_FIELD',
  DUPLICATE_TENSOR: 'DUPLICATE_TENSOR',
  SCALE_INVALID: 'SCALE_INVALID',
  CHECKSUM_MISSING: 'CHECKSUM_MISSING',
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  TRUNCATED: 'TRUNCATED',
  TRAILING_BYTES: 'TRAILING_BYTES',
  EXTENSION_TYPE: 'EXTENSION_TYPE',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  SOURCE_UNSUPPORTED: 'SOURCE_UNSUPPORTED',
  SOURCE_READ_FAILED: 'SOURCE_READ_FAILED',
  FILE_WRITE_FAILED: 'FILE_WRITE_FAILED',
} as const;

/** One of the stable string codes in {@link ErrorCode}. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Base class of every error lstm-stream throws on purpose. `code` is stable;
 * `cause` carries the underlying error when there is one. Cost: none until thrown.
 */
export class LstmStreamError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
