import { ErrorCode } from '../errors.ts';
import { Model } from '../model/model.ts';
import type { Session } from '../model/session.ts';
import { StreamOptionError } from './errors.ts';
import { resolveStreamOptions, type StreamOptions } from './options.ts';
import { PushStream } from './push-stream.ts';
import { StreamStepper, type StreamSession } from './stepper.ts';

// Sessions that a live stream is stepping. A session is one stream's state, so
// two streams on it would interleave their tokens into one history.
const streaming = new WeakSet<StreamSession>();

/**
 * A push-based stream over a session (a Session, or an AdaptiveSession for
 * a stream that adapts to its writer), or over a new session of a model
 * (`model.stream()` semantics: the stream owns it, and drops it when closed).
 * Throws StreamOptionError: STREAM_OPTION_INVALID for a bad option,
 * STREAM_SESSION_BUSY when another open stream is using the session.
 * Cost: a model source allocates one session (see Model.session); the stream
 * itself is a queue of `highWaterMark` slots and a few closures.
 */
export function createStream(source: Session | StreamSession | Model, options: StreamOptions = {}): PushStream {
  const resolved = resolveStreamOptions(options);
  const session = source instanceof Model ? source.session() : source;
  if (streaming.has(session)) {
    throw new StreamOptionError(ErrorCode.STREAM_SESSION_BUSY, 'this session is already being stepped by an open stream; end or cancel it first, or fork() the session');
  }
  const stepper = new StreamStepper(session, resolved.top, resolved.output === 'copy');
  streaming.add(session);
  return new PushStream(stepper, resolved, () => streaming.delete(session));
}

/** True while an open stream is stepping `session` (it is released when the stream closes). */
export function isStreaming(session: Session | StreamSession): boolean {
  return streaming.has(session);
}
