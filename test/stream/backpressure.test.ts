import { describe, expect, it } from 'vitest';
import { createStream, ErrorCode, StreamClosedError, StreamOverflowError } from '../../src/index.ts';
import { createWordModel, rejectionOf, settle } from './fixtures.ts';
import { trackUnhandledRejections } from './unhandled.ts';

trackUnhandledRejections();

describe('backpressure: a bounded queue', () => {
  it('tryPush accepts highWaterMark inputs, then returns false', () => {
    const stream = createStream(createWordModel(), { highWaterMark: 4 });
    expect([1, 2, 3, 4, 5, 6].map((id) => stream.tryPush(id))).toEqual([true, true, true, true, false, false]);
    expect(stream.queued).toBe(4);
    stream.cancel();
  });

  it('push() resolves at once while there is room and waits when full, resolving as the consumer takes', async () => {
    const stream = createStream(createWordModel(), { highWaterMark: 2 });
    const accepted: number[] = [];
    const pushes = [1, 2, 3, 4].map((id) => stream.push(id).then(() => accepted.push(id)));
    await settle();
    expect(accepted).toEqual([1, 2]);
    expect(stream.queued).toBe(2);
    expect((await stream.next()).value!.id).toBe(1);
    await settle();
    expect(accepted).toEqual([1, 2, 3]);
    expect((await stream.next()).value!.id).toBe(2);
    await Promise.all(pushes);
    expect(accepted).toEqual([1, 2, 3, 4]);
    expect(stream.queued).toBe(2);
    stream.end();
    expect((await stream.next()).value!.id).toBe(3);
    expect((await stream.next()).value!.id).toBe(4);
    expect((await stream.next()).done).toBe(true);
  });

  it('a producer that does not await cannot queue without bound: maxPendingPushes', async () => {
    const stream = createStream(createWordModel(), { highWaterMark: 2, maxPendingPushes: 3 });
    const waiting = [1, 2, 3, 4, 5].map((id) => stream.push(id));
    const error = await rejectionOf(stream.push(6));
    expect(error).toBeInstanceOf(StreamOverflowError);
    expect(error.code).toBe(ErrorCode.STREAM_TOO_MANY_PENDING);
    stream.end();
    const ids: number[] = [];
    for await (const r of stream) ids.push(r.id as number);
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(await Promise.all(waiting)).toEqual([true, true, true, true, true]);
  });

  it('overflow drop-oldest keeps the newest highWaterMark inputs, in order', async () => {
    const stream = createStream(createWordModel(), { highWaterMark: 3, overflow: 'drop-oldest' });
    for (let id = 1; id <= 8; id++) expect(await stream.push(id)).toBe(true);
    expect(stream.tryPush(9)).toBe(true);
    expect(stream.dropped).toBe(6);
    stream.end();
    const ids: number[] = [];
    for await (const r of stream) ids.push(r.id as number);
    expect(ids).toEqual([7, 8, 9]);
  });

  it('overflow drop-newest keeps the first highWaterMark inputs; push resolves false for a dropped one', async () => {
    const stream = createStream(createWordModel(), { highWaterMark: 3, overflow: 'drop-newest' });
    const accepted: boolean[] = [];
    for (let id = 1; id <= 6; id++) accepted.push(await stream.push(id));
    expect(accepted).toEqual([true, true, true, false, false, false]);
    expect(stream.tryPush(7)).toBe(false); // refused, not dropped: the producer still holds it
    expect(stream.dropped).toBe(3);
    stream.end();
    const ids: number[] = [];
    for await (const r of stream) ids.push(r.id as number);
    expect(ids).toEqual([1, 2, 3]);
  });

  it('overflow error rejects the push with STREAM_QUEUE_FULL and leaves the stream usable', async () => {
    const stream = createStream(createWordModel(), { highWaterMark: 2, overflow: 'error' });
    await stream.push(1);
    await stream.push(2);
    const error = await rejectionOf(stream.push(3));
    expect(error).toBeInstanceOf(StreamOverflowError);
    expect(error.code).toBe(ErrorCode.STREAM_QUEUE_FULL);
    expect(error.message).toContain('highWaterMark 2');
    await stream.next();
    expect(await stream.push(3)).toBe(true);
    stream.end();
    const ids: number[] = [];
    for await (const r of stream) ids.push(r.id as number);
    expect(ids).toEqual([2, 3]);
  });

  it('end() drains everything accepted or waiting, then finishes; a push after end() is STREAM_ENDED', async () => {
    const stream = createStream(createWordModel(), { highWaterMark: 2 });
    const pushes = [1, 2, 3, 4, 5].map((id) => stream.push(id));
    stream.end();
    stream.end(); // idempotent
    const error = await rejectionOf(stream.push(6));
    expect(error).toBeInstanceOf(StreamClosedError);
    expect(error.code).toBe(ErrorCode.STREAM_ENDED);
    expect(() => stream.tryPush(6)).toThrow(StreamClosedError);
    const ids: number[] = [];
    for await (const r of stream) ids.push(r.id as number);
    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(await Promise.all(pushes)).toEqual([true, true, true, true, true]);
    expect(stream.closed).toBe(true);
    expect((await rejectionOf(stream.push(7))).code).toBe(ErrorCode.STREAM_ENDED);
  });

  it('a consumer waiting on an empty open stream is woken by the next push, and by end()', async () => {
    const stream = createStream(createWordModel());
    const first = stream.next();
    const second = stream.next();
    await settle();
    stream.tryPush(4);
    expect((await first).value!.id).toBe(4);
    stream.end();
    expect((await second).done).toBe(true);
  });

  it('rejects bad options with STREAM_OPTION_INVALID', () => {
    const model = createWordModel();
    for (const options of [{ highWaterMark: 0 }, { highWaterMark: 1.5 }, { overflow: 'sometimes' }, { top: -1 }, { output: 'shared' }, { maxPendingPushes: -1 }]) {
      expect(() => createStream(model, options as never)).toThrow(expect.objectContaining({ code: ErrorCode.STREAM_OPTION_INVALID }));
    }
  });
});
