import { ErrorCode } from '../errors.ts';
import { StreamOptionError } from './errors.ts';

/** What a stream does with a push when its queue is full. */
export type OverflowPolicy = 'wait' | 'drop-oldest' | 'drop-newest' | 'error';

/** Options of a push-based stream. */
export interface StreamOptions {
  /** Inputs the queue holds before the overflow policy applies (a text push is one input). Default 16. */
  readonly highWaterMark?: number;
  /**
   * Full queue: `wait` (push() resolves once there is room), `drop-oldest`
   * (the oldest queued input is discarded), `drop-newest` (this input is
   * discarded; push() resolves false), `error` (push() rejects with
   * StreamOverflowError STREAM_QUEUE_FULL). Default `wait`.
   */
  readonly overflow?: OverflowPolicy;
  /** `wait` only: pushes allowed to wait at once before push() rejects (STREAM_TOO_MANY_PENDING). Default 1024. */
  readonly maxPendingPushes?: number;
  /** Aborting it cancels the stream: pending pushes and nexts reject with STREAM_ABORTED. */
  readonly signal?: AbortSignal;
  /** Add the k most likely next tokens (`top`) to every result; 0 for none. Needs a softmax head. Default 0. */
  readonly top?: number;
  /**
   * `copy` (default): each result owns a fresh copy of the step's output.
   * `borrowed`: the session's own output buffer, valid until the next `next()`;
   * no allocation, for consumers that read each result before asking for the next.
   */
  readonly output?: 'copy' | 'borrowed';
}

/** Options with every default filled in. */
export interface ResolvedStreamOptions {
  readonly highWaterMark: number;
  readonly overflow: OverflowPolicy;
  readonly maxPendingPushes: number;
  readonly signal: AbortSignal | null;
  readonly top: number;
  readonly output: 'copy' | 'borrowed';
}

const POLICIES: readonly OverflowPolicy[] = ['wait', 'drop-oldest', 'drop-newest', 'error'];

/** Fills defaults and checks every option. Throws StreamOptionError (STREAM_OPTION_INVALID) naming the bad one. */
export function resolveStreamOptions(options: StreamOptions = {}): ResolvedStreamOptions {
  const fail = (what: string): never => {
    throw new StreamOptionError(ErrorCode.STREAM_OPTION_INVALID, what);
  };
  const highWaterMark = options.highWaterMark ?? 16;
  const overflow = options.overflow ?? 'wait';
  const maxPendingPushes = options.maxPendingPushes ?? 1024;
  const top = options.top ?? 0;
  const output = options.output ?? 'copy';
  if (!Number.isInteger(highWaterMark) || highWaterMark < 1) fail(`highWaterMark is ${highWaterMark}; expected an integer ≥ 1`);
  if (!POLICIES.includes(overflow)) fail(`overflow is ${JSON.stringify(overflow)}; expected one of ${POLICIES.join(', ')}`);
  if (!Number.isInteger(maxPendingPushes) || maxPendingPushes < 0) fail(`maxPendingPushes is ${maxPendingPushes}; expected an integer ≥ 0`);
  if (!Number.isInteger(top) || top < 0) fail(`top is ${top}; expected an integer ≥ 0`);
  if (output !== 'copy' && output !== 'borrowed') fail(`output is ${JSON.stringify(output)}; expected copy or borrowed`);
  const signal = options.signal ?? null;
  if (signal !== null && (typeof signal !== 'object' || typeof signal.addEventListener !== 'function')) {
    fail('signal is not an AbortSignal');
  }
  return { highWaterMark, overflow, maxPendingPushes, signal, top, output };
}
