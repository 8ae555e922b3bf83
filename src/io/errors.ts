import { LstmStreamError } from '../errors.ts';

/**
 * Bytes that could not be read from a source or written to a file: an
 * unsupported source, a missing file, an HTTP error, a stream of non-bytes,
 * or more bytes than the caller's limit (LIMIT_EXCEEDED).
 */
export class SourceError extends LstmStreamError {}
