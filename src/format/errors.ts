import { LstmStreamError } from '../errors.ts';

/**
 * A model file that cannot be read or written: not MessagePack, the wrong
 * format or version, a damaged or truncated file, a missing, mis-shaped or
 * non-finite tensor, or a size beyond a limit. `code` is one of ErrorCode's
 * model-file codes; the message names the field, tensor or byte offset.
 */
export class FormatError extends LstmStreamError {}
