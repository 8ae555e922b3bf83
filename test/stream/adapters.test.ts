import { Duplex, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createStream, ErrorCode, isStreaming, type StreamInput, type StreamResult } from '../../src/index.ts';
import { createWordModel, referenceOutputs } from './fixtures.ts';
import { trackUnhandledRejections } from './unhandled.ts';

trackUnhandledRejections();

const IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 2, 3];

function readableOf<T>(items: readonly T[]): ReadableStream<T> {
  let index = 0;
  return new ReadableStream<T>({
    pull(controller) {
      if (index < items.length) controller.enqueue(items[index++]);
      else controller.close();
    },
  });
}

async function readAll<T>(readable: ReadableStream<T>): Promise<T[]> {
  const reader = readable.getReader();
  const items: T[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return items;
    items.push(value);
  }
}

describe('Web Streams adapter: toTransformStream()', () => {
  it('pipeThrough gives the results in order, equal to direct steps', async () => {
    const model = createWordModel();
    const expected = referenceOutputs(model, IDS);
    const results = await readAll(readableOf<StreamInput>(IDS).pipeThrough(createStream(model, { highWaterMark: 2 }).toTransformStream()));
    expect(results.map((r) => r.id)).toEqual(IDS);
    results.forEach((r, t) => expect(Array.from(r.output)).toEqual(Array.from(expected[t])));
  });

  it('text chunks are tokenized', async () => {
    const results = await readAll(readableOf<StreamInput>(['the cat', 'sat.']).pipeThrough(createStream(createWordModel()).toTransformStream()));
    expect(results.map((r) => r.input)).toEqual(['the', 'cat', 'sat', '.']);
  });

  it('backpressure: with nobody reading, writes stop being accepted after highWaterMark', async () => {
    const pair = createStream(createWordModel(), { highWaterMark: 3 }).toTransformStream();
    const writer = pair.writable.getWriter();
    let accepted = 0;
    for (let i = 0; i < 10; i++) void writer.write(1).then(() => accepted++, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(accepted).toBeLessThanOrEqual(4); // 3 in the queue, at most one write in flight
    expect(accepted).toBeGreaterThanOrEqual(3);
    await pair.readable.cancel();
  });

  it('cancelling the readable side cancels the stream and releases the session', async () => {
    const session = createWordModel().session();
    const pair = createStream(session).toTransformStream();
    const writer = pair.writable.getWriter();
    await writer.write(1);
    const reader = pair.readable.getReader();
    expect((await reader.read()).value!.id).toBe(1);
    await reader.cancel();
    expect(isStreaming(session)).toBe(false);
    const error = await writer.write(2).then(() => null, (e: { code?: string }) => e);
    expect(error?.code).toBe(ErrorCode.STREAM_CANCELLED);
  });

  it('a step error errors the readable side with the typed error', async () => {
    const readable = readableOf<StreamInput>([1, 999]).pipeThrough(createStream(createWordModel()).toTransformStream());
    const error = await readAll(readable).then(() => null, (e: { code?: string }) => e);
    expect(error?.code).toBe(ErrorCode.TOKEN_OUT_OF_RANGE);
  });
});

describe('pipeline stage: stream.transform', () => {
  it('for await over transform(source) yields the results of an async source', async () => {
    async function* source(): AsyncGenerator<number> {
      for (const id of IDS) yield id;
    }
    const ids: (number | null)[] = [];
    for await (const r of createStream(createWordModel(), { highWaterMark: 2 }).transform(source())) ids.push(r.id);
    expect(ids).toEqual(IDS);
  });

  it('an error of the source reaches the consumer', async () => {
    async function* source(): AsyncGenerator<number> {
      yield 1;
      throw new Error('sensor unplugged');
    }
    const stream = createStream(createWordModel());
    const seen: number[] = [];
    const error = await (async () => {
      for await (const r of stream.transform(source())) seen.push(r.id as number);
    })().then(() => null, (e: Error) => e);
    expect(error?.message).toBe('sensor unplugged');
    expect(stream.closed).toBe(true);
  });
});

// node:stream only in the test (the library never imports node:*); Deno and Bun emulate it well enough to run these too.
describe('Node stream.pipeline', () => {
  it('runs the stream as an async-generator stage', async () => {
    const model = createWordModel();
    const expected = referenceOutputs(model, IDS);
    const results: StreamResult[] = [];
    await pipeline(
      Readable.from(IDS),
      createStream(model, { highWaterMark: 2 }).transform,
      new Writable({
        objectMode: true,
        write(result: StreamResult, _encoding, done) {
          results.push(result);
          done();
        },
      }),
    );
    expect(results.map((r) => r.id)).toEqual(IDS);
    results.forEach((r, t) => expect(Array.from(r.output)).toEqual(Array.from(expected[t])));
  });

  it('runs the Web Streams pair through Duplex.fromWeb', async () => {
    const ids: (number | null)[] = [];
    await pipeline(
      Readable.from(IDS),
      Duplex.fromWeb(createStream(createWordModel()).toTransformStream() as unknown as Parameters<typeof Duplex.fromWeb>[0], { objectMode: true }),
      new Writable({
        objectMode: true,
        write(result: StreamResult, _encoding, done) {
          ids.push(result.id);
          done();
        },
      }),
    );
    expect(ids).toEqual(IDS);
  });

  it('a failing sink tears the pipeline down and releases the session', async () => {
    const session = createWordModel().session();
    const error = await pipeline(
      Readable.from(IDS),
      createStream(session).transform,
      new Writable({
        objectMode: true,
        write(_result: StreamResult, _encoding, done) {
          done(new Error('disk full'));
        },
      }),
    ).then(() => null, (e: Error) => e);
    expect(error?.message).toBe('disk full');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(isStreaming(session)).toBe(false);
  });
});
