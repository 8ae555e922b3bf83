import { LstmStreamError } from '../errors.ts';

/**
 * A file from another tool (safetensors, ONNX) that cannot be read, or a
 * model that cannot be written as one: damaged or truncated bytes, a size
 * beyond a limit, an unsupported tensor type, operator or attribute. `code`
 * is one of ErrorCode's interop codes (or a model code such as
 * MISSING_TENSOR, kept from the ConfigError it wraps); the message names the
 * file part, tensor, node or attribute, and the byte offset where there is one.
 */
export class InteropError extends LstmStreamError {}
