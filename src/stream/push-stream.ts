import { ErrorCode } from '../errors.ts';
import { InputError } from '../model/errors.ts';
import { asyncDisposeSymbol } from './dispose.ts';
import { StreamClosedError, StreamOverflowError } from './errors.ts';
import { Fifo } from './fifo.ts';
import type { ResolvedStreamOptions } from './options.ts';
import type { StreamInput, StreamResult, StreamStepper, TokenizedText } from './stepper.ts';

/** A queued input: an id, a vector, or a text already split into tokens. */
type QueuedInput = number | Float32Array | TokenizedText;

interface WaitingPush {
  readonly input: QueuedInput;
  readonly resolve: (accepted: boolean) => void;
  readonly reject: (error: unknown) => void;
  /** Set when the push's rejection must not count as unhandled (see cancel). */
  readonly promise: Promise<boolean>;
}

interface WaitingNext {
  readonly resolve: (result: IteratorResult<StreamResult, undefined>) => void;
  readonly reject: (error: unknown) => void;
}

const enum State {
  Open,
  /** end() was called: accepted and waiting inputs still drain. */
  Ending,
  Closed,
}

const ACCEPTED = Promise.resolve(true);
const DROPPED = Promise.resolve(false);
const DONE: IteratorResult<StreamResult, undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A push-based async iterator over one session (Repeater / Channel
 * semantics). Producers `push()` inputs into a bounded queue; the consumer
 * `for await`s results in push order. A step happens when the consumer asks
 * for its result, so a slow consumer holds at most `highWaterMark` inputs
 * (plus pushes waiting for room, at most `maxPendingPushes`), never a growing
 * pile of results. Memory: the queue's slots and a few closures; the session's
 * buffers are the session's. Per result it allocates the result, its output
 * copy (unless `output: 'borrowed'`) and the iterator's promise.
 *
 * Make one with `createStream(sessionOrModel, options)`.
 */
export class PushStream implements AsyncIterableIterator<StreamResult, undefined> {
  /** Inputs discarded by the drop-oldest / drop-newest policies so far. */
  dropped = 0;
  private stepper: StreamStepper | null;
  private state = State.Open;
  private closeReason: StreamClosedError | null = null;
  private readonly options: ResolvedStreamOptions;
  private readonly queue: Fifo<QueuedInput>;
  private readonly waitingPushes = new Fifo<WaitingPush>();
  private readonly waitingNexts = new Fifo<WaitingNext>();
  // The text input being stepped one token (one result) at a time.
  private text: TokenizedText | null = null;
  private textIndex = 0;
  // Why the stream closed, kept after closeReason has been reported so later pushes can say it.
  private lastCloseReason: StreamClosedError | null = null;
  private readonly onRelease: () => void;
  private readonly onAbort = (): void => {
    const signal = this.options.signal as AbortSignal;
    this.close(new StreamClosedError(ErrorCode.STREAM_ABORTED, 'stream aborted by its signal', { cause: signal.reason }), true);
  };

  /** Prefer createStream(). `onRelease` runs once, when the stream lets go of its session. */
  constructor(stepper: StreamStepper, options: ResolvedStreamOptions, onRelease: () => void) {
    this.stepper = stepper;
    this.options = options;
    this.onRelease = onRelease;
    this.queue = new Fifo<QueuedInput>(options.highWaterMark);
    const signal = options.signal;
    if (signal !== null) {
      if (signal.aborted) this.onAbort();
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  /** Inputs waiting in the queue (not counting pushes waiting for room). */
  get queued(): number {
    return this.queue.length;
  }

  /** True once the stream has ended and drained, been cancelled, aborted or failed. */
  get closed(): boolean {
    return this.state === State.Closed;
  }

  /**
   * Offers an input. Resolves true once it is in the queue (at once when there
   * is room), false when the drop-newest policy discarded it. Rejects with
   * StreamClosedError after end() (STREAM_ENDED) or once the stream is
   * closed; with StreamOverflowError when full under `error`, or when
   * `maxPendingPushes` pushes already wait; with InputError for a value that
   * is not a number, string or Float32Array. A push that was waiting when the
   * consumer cancelled rejects with STREAM_CANCELLED, marked handled so an
   * unawaited push cannot crash the process.
   */
  push(input: StreamInput): Promise<boolean> {
    let queued: QueuedInput | null;
    try {
      queued = this.admit(input, 'push');
    } catch (error) {
      return Promise.reject(error);
    }
    if (queued === null) return ACCEPTED;
    if (this.accept(queued)) return ACCEPTED;
    switch (this.options.overflow) {
      case 'drop-oldest':
        this.queue.shift();
        this.dropped++;
        this.accept(queued);
        return ACCEPTED;
      case 'drop-newest':
        this.dropped++;
        return DROPPED;
      case 'error':
        return Promise.reject(
          new StreamOverflowError(ErrorCode.STREAM_QUEUE_FULL, `push: the queue is full (highWaterMark ${this.options.highWaterMark}) and the overflow policy is error`),
        );
      default:
        return this.waitForRoom(queued);
    }
  }

  /**
   * Synchronous push: true when the input went into the queue (under
   * drop-oldest, also when it displaced the oldest), false when the queue is
   * full. Throws what push() would reject with for a closed stream or a bad value.
   */
  tryPush(input: StreamInput): boolean {
    const queued = this.admit(input, 'tryPush');
    if (queued === null) return true;
    if (this.accept(queued)) return true;
    if (this.options.overflow !== 'drop-oldest') return false;
    this.queue.shift();
    this.dropped++;
    return this.accept(queued);
  }

  /**
   * No more inputs: everything accepted or waiting so far is still stepped
   * and delivered, then the iterator finishes and the session is released.
   * Later pushes reject with STREAM_ENDED. Idempotent.
   */
  end(): void {
    if (this.state !== State.Open) return;
    this.state = State.Ending;
    if (!this.hasWork() && this.waitingPushes.length === 0) this.close(null, false);
  }

  /** The next result in push order; waits for a push when the queue is empty; done after end() has drained. */
  next(): Promise<IteratorResult<StreamResult, undefined>> {
    if (this.state === State.Closed) {
      const reason = this.closeReason;
      // An abort or failure is reported once, to the next caller; after that the iterator is just done.
      this.closeReason = null;
      return reason !== null && reason.code !== ErrorCode.STREAM_CANCELLED ? Promise.reject(reason) : Promise.resolve(DONE);
    }
    if (this.hasWork()) {
      try {
        return Promise.resolve(this.produce());
      } catch (error) {
        return Promise.reject(this.fail(error));
      }
    }
    return new Promise((resolve, reject) => this.waitingNexts.push({ resolve, reject }));
  }

  /** Cancels (what `break` in a for-await loop calls): releases the session, rejects waiting pushes (STREAM_CANCELLED). */
  return(): Promise<IteratorResult<StreamResult, undefined>> {
    this.cancel();
    return Promise.resolve(DONE);
  }

  /** Cancels the stream and then rejects with `error`, per the iterator protocol. */
  throw(error?: unknown): Promise<IteratorResult<StreamResult, undefined>> {
    this.cancel();
    return Promise.reject(error);
  }

  /** Cancels: the consumer is gone. Queued inputs are discarded, waiting pushes reject (handled), the session is released. Idempotent. */
  cancel(): void {
    this.close(new StreamClosedError(ErrorCode.STREAM_CANCELLED, 'stream cancelled by its consumer'), false);
  }

  /** `await using stream = …`: cancels unless already closed. */
  async dispose(): Promise<void> {
    this.cancel();
  }

  [Symbol.asyncIterator](): PushStream {
    return this;
  }

  /**
   * A Web Streams pair over this stream (what `pipeThrough` and Node's
   * `Duplex.fromWeb` take): chunks written to `writable` are pushed (the
   * write resolves when accepted, so the queue bounds memory), closing it ends
   * the stream, aborting it cancels; `readable` yields the results, and
   * cancelling it cancels the stream and releases the session. It is a pair of
   * native ReadableStream and WritableStream rather than a TransformStream
   * instance so that cancellation reaches the session on every runtime.
   * Use either the pair or the iterator, not both.
   */
  toTransformStream(): { readonly writable: WritableStream<StreamInput>; readonly readable: ReadableStream<StreamResult> } {
    const writable = new WritableStream<StreamInput>({
      write: async (chunk) => {
        await this.push(chunk);
      },
      close: () => this.end(),
      abort: () => this.cancel(),
    });
    const readable = new ReadableStream<StreamResult>(
      {
        pull: async (controller) => {
          const result = await this.next();
          if (result.done) controller.close();
          else controller.enqueue(result.value);
        },
        cancel: () => this.cancel(),
      },
      { highWaterMark: 0 },
    );
    return { writable, readable };
  }

  /**
   * A pipeline stage: pushes everything from `source`, ends, and yields the
   * results, so `pipeline(source, stream.transform, sink)` works in Node and
   * `for await (const r of stream.transform(source))` anywhere. Breaking out
   * cancels the stream; an error of the source reaches the consumer.
   */
  get transform(): (source: AsyncIterable<StreamInput> | Iterable<StreamInput>) => AsyncGenerator<StreamResult, void, undefined> {
    // Made on demand and bound, so `stream.transform` can be handed over as a function.
    return (source) => this.transformFrom(source);
  }

  private async *transformFrom(source: AsyncIterable<StreamInput> | Iterable<StreamInput>): AsyncGenerator<StreamResult, void, undefined> {
    let sourceError: { error: unknown } | null = null;
    const pump = (async () => {
      try {
        for await (const input of source) await this.push(input);
        this.end();
      } catch (error) {
        if (!this.closed) sourceError = { error };
        this.cancel();
      }
    })();
    try {
      for await (const result of this) yield result;
    } finally {
      this.cancel();
      await pump;
    }
    if (sourceError !== null) throw (sourceError as { error: unknown }).error;
  }

  /**
   * Checks that the stream is open and the value has a pushable type, and
   * tokenizes text now, so a text the model cannot read is the producer's
   * error (InputError or TextError), not the consumer's. Returns what to
   * queue, or null for a text of no tokens (accepted, nothing to step).
   */
  private admit(input: StreamInput, where: string): QueuedInput | null {
    if (this.state !== State.Open) {
      const reason = this.closeReason ?? this.lastCloseReason;
      if (this.state === State.Ending || reason === null) {
        throw new StreamClosedError(ErrorCode.STREAM_ENDED, `${where} after end(): the stream takes no more input`);
      }
      throw new StreamClosedError(reason.code, `${where} on a closed stream: ${reason.message}`, { cause: reason.cause });
    }
    if (typeof input === 'number' || input instanceof Float32Array) return input;
    if (typeof input === 'string') {
      const text = (this.stepper as StreamStepper).tokenize(input);
      return text.ids.length === 0 ? null : text;
    }
    throw new InputError(
      ErrorCode.INPUT_KIND_MISMATCH,
      `${where}: got ${input === null ? 'null' : typeof input}, expected a token id, a string or a Float32Array`,
    );
  }

  /** Queues the input if there is room and serves waiting consumers. */
  private accept(input: QueuedInput): boolean {
    if (this.queue.full) return false;
    this.queue.push(input);
    this.serveWaitingNexts();
    return true;
  }

  private waitForRoom(input: QueuedInput): Promise<boolean> {
    if (this.waitingPushes.length >= this.options.maxPendingPushes) {
      return Promise.reject(
        new StreamOverflowError(
          ErrorCode.STREAM_TOO_MANY_PENDING,
          `push: ${this.waitingPushes.length} pushes already wait for room (maxPendingPushes); await push() before pushing again`,
        ),
      );
    }
    let resolve!: (accepted: boolean) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<boolean>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    this.waitingPushes.push({ input, resolve, reject, promise });
    return promise;
  }

  private hasWork(): boolean {
    return this.text !== null || this.queue.length > 0;
  }

  /** Moves waiting pushes into freed queue slots, oldest first, resolving their promises. */
  private admitWaitingPushes(): void {
    while (this.waitingPushes.length > 0 && !this.queue.full) {
      const waiting = this.waitingPushes.shift() as WaitingPush;
      this.queue.push(waiting.input);
      waiting.resolve(true);
    }
  }

  private serveWaitingNexts(): void {
    while (this.waitingNexts.length > 0 && this.state !== State.Closed) {
      if (!this.hasWork()) {
        if (this.state === State.Ending && this.waitingPushes.length === 0) this.close(null, false);
        return;
      }
      const waiting = this.waitingNexts.shift() as WaitingNext;
      let result: IteratorResult<StreamResult, undefined>;
      try {
        result = this.produce();
      } catch (error) {
        waiting.reject(this.fail(error));
        return;
      }
      waiting.resolve(result);
    }
  }

  /**
   * Steps the next input and returns its result; after the last input of an
   * ended stream, closes it. Only called when hasWork(). Throws what the step throws.
   */
  private produce(): IteratorResult<StreamResult, undefined> {
    const stepper = this.stepper as StreamStepper;
    if (this.text === null) {
      const input = this.queue.shift() as QueuedInput;
      this.admitWaitingPushes();
      if (typeof input === 'number' || input instanceof Float32Array) return this.deliver(stepper.step(input, input));
      this.text = input;
      this.textIndex = 0;
    }
    const text = this.text;
    const index = this.textIndex++;
    if (this.textIndex === text.ids.length) this.text = null;
    return this.deliver(stepper.step(text.tokens[index], text.ids[index]));
  }

  private deliver(result: StreamResult): IteratorResult<StreamResult, undefined> {
    this.finishIfDrained();
    return { done: false, value: result };
  }

  private finishIfDrained(): void {
    if (this.state === State.Ending && !this.hasWork() && this.waitingPushes.length === 0) this.close(null, false);
  }

  /** A step threw: close the stream and hand the error on to the consumer. */
  private fail(error: unknown): unknown {
    this.close(new StreamClosedError(ErrorCode.STREAM_FAILED, `stream closed by an error in a step: ${error instanceof Error ? error.message : String(error)}`, { cause: error }), false);
    // The consumer gets the error itself (an InputError, say), not the wrapper.
    this.closeReason = null;
    return error;
  }

  /**
   * Closes for good: `reason` null means drained after end(). Releases the
   * session, discards queued inputs, rejects waiting pushes with the reason
   * (handled: their producers may have stopped listening), and finishes or
   * (when `rejectNexts`, for aborts) rejects waiting nexts.
   */
  private close(reason: StreamClosedError | null, rejectNexts: boolean): void {
    if (this.state === State.Closed) return;
    this.state = State.Closed;
    this.closeReason = reason;
    this.stepper = null;
    this.text = null;
    this.lastCloseReason = reason;
    this.queue.drain(() => undefined);
    const pushError = reason ?? new StreamClosedError(ErrorCode.STREAM_ENDED, 'stream ended');
    this.waitingPushes.drain((waiting) => {
      waiting.promise.catch(() => undefined);
      waiting.reject(pushError);
    });
    if (rejectNexts && reason !== null && this.waitingNexts.length > 0) {
      this.waitingNexts.drain((waiting) => waiting.reject(reason));
      this.closeReason = null; // reported
    } else {
      this.waitingNexts.drain((waiting) => waiting.resolve(DONE));
    }
    const signal = this.options.signal;
    if (signal !== null) signal.removeEventListener('abort', this.onAbort);
    this.onRelease();
  }
}

Object.defineProperty(PushStream.prototype, asyncDisposeSymbol, {
  value: PushStream.prototype.dispose,
  writable: true,
  configurable: true,
});
