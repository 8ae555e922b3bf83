import { LstmStreamError } from '../errors.ts';

/**
 * A push, next or write on a stream that can no longer take it: ended
 * (STREAM_ENDED), cancelled by the consumer (STREAM_CANCELLED), aborted by its
 * signal (STREAM_ABORTED, cause = the signal's reason), or closed by an error
 * inside a step (STREAM_FAILED, cause = that error).
 */
export class StreamClosedError extends LstmStreamError {}

/**
 * A push the stream's queue cannot take: full under the `error` overflow
 * policy (STREAM_QUEUE_FULL), or too many pushes already waiting for room
 * under `wait` (STREAM_TOO_MANY_PENDING: a producer that does not await push()).
 */
export class StreamOverflowError extends LstmStreamError {}

/** A stream that cannot be made: a bad option (STREAM_OPTION_INVALID) or a session already streaming (STREAM_SESSION_BUSY). */
export class StreamOptionError extends LstmStreamError {}
