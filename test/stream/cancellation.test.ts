import { describe, expect, it } from 'vitest';
import { createStream, ErrorCode, InputError, isStreaming, StreamClosedError, StreamOptionError } from '../../src/index.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { createDenseModel, createWordModel, rejectionOf, settle } from './fixtures.ts';
import { trackUnhandledRejections } from './unhandled.ts';

const unhandled = trackUnhandledRejections();

describe('cancellation, errors and disposal', () => {
  it('break in for-await releases the session and rejects waiting pushes with STREAM_CANCELLED', async () => {
    const model = createWordModel();
    const session = model.session();
    const stream = createStream(session, { highWaterMark: 2 });
    expect(isStreaming(session)).toBe(true);
    expect(() => createStream(session)).toThrow(StreamOptionError);
    const pushes = [1, 2, 3, 4].map((id) => stream.push(id));
    const seen: number[] = [];
    for await (const r of stream) {
      seen.push(r.id as number);
      break;
    }
    expect(seen).toEqual([1]);
    expect(isStreaming(session)).toBe(false);
    const outcomes = await Promise.allSettled(pushes);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const reason = (outcomes[3] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(StreamClosedError);
    expect(reason.code).toBe(ErrorCode.STREAM_CANCELLED);
    expect((await rejectionOf(stream.push(9))).code).toBe(ErrorCode.STREAM_CANCELLED);
    expect((await stream.next()).done).toBe(true);
    // The session is free again and kept its state: one step was taken.
    expect(session.position).toBe(1);
    const again = createStream(session);
    again.tryPush(2);
    again.end();
    for await (const r of again) expect(r.id).toBe(2);
    expect(session.position).toBe(2);
  });

  it('waiting pushes that nobody awaits do not become unhandled rejections when the consumer cancels', async () => {
    const stream = createStream(createWordModel(), { highWaterMark: 1 });
    stream.tryPush(1);
    void stream.push(2); // fire and forget: its rejection is marked handled
    void stream.push(3);
    await stream.return();
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('an AbortSignal cancels: a waiting next rejects with STREAM_ABORTED carrying the reason; pushes reject', async () => {
    const controller = new AbortController();
    const session = createWordModel().session();
    const stream = createStream(session, { signal: controller.signal, highWaterMark: 1 });
    const waitingNext = stream.next();
    await settle();
    controller.abort(new Error('user left'));
    const error = await rejectionOf(waitingNext);
    expect(error).toBeInstanceOf(StreamClosedError);
    expect(error.code).toBe(ErrorCode.STREAM_ABORTED);
    expect((error.cause as Error).message).toBe('user left');
    expect(isStreaming(session)).toBe(false);
    expect((await rejectionOf(stream.push(1))).code).toBe(ErrorCode.STREAM_ABORTED);
    expect((await stream.next()).done).toBe(true);
  });

  it('an abort with nobody waiting is reported to the next next(), once', async () => {
    const controller = new AbortController();
    const stream = createStream(createWordModel(), { signal: controller.signal });
    stream.tryPush(1);
    controller.abort();
    expect((await rejectionOf(stream.next())).code).toBe(ErrorCode.STREAM_ABORTED);
    expect((await stream.next()).done).toBe(true);
  });

  it('an already aborted signal makes a closed stream', async () => {
    const session = createWordModel().session();
    const stream = createStream(session, { signal: AbortSignal.abort() });
    expect(stream.closed).toBe(true);
    expect(isStreaming(session)).toBe(false);
    expect(() => stream.tryPush(1)).toThrow(expect.objectContaining({ code: ErrorCode.STREAM_ABORTED }));
    expect((await rejectionOf(stream.next())).code).toBe(ErrorCode.STREAM_ABORTED);
  });

  it('an error inside a step reaches the consumer as the typed error; the stream closes and releases', async () => {
    const session = createWordModel().session();
    const stream = createStream(session, { highWaterMark: 1 });
    const pushes = [1, 999, 2, 3].map((id) => stream.push(id)); // 999 is outside the vocabulary
    const seen: number[] = [];
    let caught: unknown = null;
    try {
      for await (const r of stream) seen.push(r.id as number);
    } catch (error) {
      caught = error;
    }
    expect(seen).toEqual([1]);
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).code).toBe(ErrorCode.TOKEN_OUT_OF_RANGE);
    expect(isStreaming(session)).toBe(false);
    const outcomes = await Promise.allSettled(pushes);
    expect(outcomes[3].status).toBe('rejected');
    expect((outcomes[3] as PromiseRejectedResult).reason.code).toBe(ErrorCode.STREAM_FAILED);
    expect((await rejectionOf(stream.push(1))).code).toBe(ErrorCode.STREAM_FAILED);
    expect((await stream.next()).done).toBe(true);
  });

  it('an error in a step served to a waiting consumer rejects that next(), not the push', async () => {
    const stream = createStream(createDenseModel());
    const waiting = stream.next();
    expect(await stream.push(new Float32Array([1, Number.NaN, 0]))).toBe(true);
    const error = await rejectionOf(waiting);
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe(ErrorCode.INPUT_NOT_FINITE);
    expect(stream.closed).toBe(true);
  });

  it('Symbol.asyncDispose cancels and releases (await using)', async () => {
    const session = createWordModel().session();
    const stream = createStream(session, { highWaterMark: 1 });
    expect(typeof (stream as unknown as Record<symbol, unknown>)[Symbol.asyncDispose]).toBe('function');
    stream.tryPush(1);
    const waiting = stream.push(2);
    await (stream as unknown as AsyncDisposable)[Symbol.asyncDispose]();
    expect(isStreaming(session)).toBe(false);
    expect((await rejectionOf(waiting)).code).toBe(ErrorCode.STREAM_CANCELLED);
  });

  it('throw() cancels and rejects with the given error', async () => {
    const stream = createStream(createWordModel());
    const boom = new Error('consumer failed');
    await expect(stream.throw(boom)).rejects.toBe(boom);
    expect(stream.closed).toBe(true);
  });

  // bun test does not deliver process 'unhandledRejection' events; it reports
  // unhandled rejections itself and fails the run, so there is nothing to self-test there.
  it.skipIf(runtimeName() === 'bun')('the unhandled-rejection tracker sees a real unhandled rejection (self-test)', async () => {
    // Prove that the listener this suite relies on fires, then take the entry back out.
    const probe = new Error('probe');
    const before = unhandled.length;
    const handler = (reason: unknown): void => {
      if (reason === probe) unhandled.splice(unhandled.indexOf(probe), 1);
    };
    void Promise.reject(probe);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const sawIt = unhandled.includes(probe);
    handler(probe);
    expect(sawIt).toBe(true);
    expect(unhandled.length).toBe(before);
  });
});
