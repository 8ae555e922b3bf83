import { describe, expect, it } from 'vitest';
import { createStream, ErrorCode, InputError, type StreamResult } from '../../src/index.ts';
import { createDenseModel, createWordModel, referenceOutputs, settle, WORDS } from './fixtures.ts';
import { trackUnhandledRejections } from './unhandled.ts';

trackUnhandledRejections();

async function collect(stream: AsyncIterable<StreamResult>): Promise<StreamResult[]> {
  const results: StreamResult[] = [];
  for await (const result of stream) results.push(result);
  return results;
}

describe('a stream steps its session in push order', () => {
  it('token ids: results equal a plain session stepping the same ids', async () => {
    const model = createWordModel();
    const ids = [1, 2, 3, 4, 1, 5, 6, 0, 11, 2];
    const expected = referenceOutputs(model, ids);
    const stream = createStream(model);
    const consumed = collect(stream);
    for (const id of ids) await stream.push(id);
    stream.end();
    const results = await consumed;
    expect(results.map((r) => r.input)).toEqual(ids);
    expect(results.map((r) => r.id)).toEqual(ids);
    results.forEach((r, t) => expect(Array.from(r.output)).toEqual(Array.from(expected[t])));
  });

  it('outputs are copies the consumer may keep (default), borrowed views when asked', async () => {
    const model = createWordModel();
    const copying = createStream(model);
    copying.tryPush(1);
    copying.tryPush(2);
    copying.end();
    const [first, second] = await collect(copying);
    expect(first.output).not.toBe(second.output);
    expect(Array.from(first.output)).toEqual(Array.from(referenceOutputs(model, [1])[0]));

    const borrowing = createStream(model, { output: 'borrowed' });
    borrowing.tryPush(1);
    borrowing.tryPush(2);
    borrowing.end();
    const a = await borrowing.next();
    const b = await borrowing.next();
    expect(a.value!.output).toBe(b.value!.output); // one buffer, overwritten by the next step
  });

  it('text is tokenized Brown-style with the model tokenizer: one result per token', async () => {
    const model = createWordModel();
    const stream = createStream(model);
    await stream.push("The cat don't sat, on Mr. U.S. mat.");
    await stream.push(3); // ids and text mix in one stream
    stream.end();
    const results = await collect(stream);
    // "The" is not in the (case-sensitive) vocabulary: it maps to <unk> (0).
    expect(results.map((r) => r.input)).toEqual(['The', 'cat', "don't", 'sat', ',', 'on', 'Mr.', 'U.S.', 'mat', '.', 3]);
    expect(results.map((r) => r.id)).toEqual([0, 2, 8, 3, 7, 4, 9, 10, 5, 6, 3]);
    const expected = referenceOutputs(model, [0, 2, 8, 3, 7, 4, 9, 10, 5, 6, 3]);
    results.forEach((r, t) => expect(Array.from(r.output)).toEqual(Array.from(expected[t])));
  });

  it('a text of no tokens is accepted and yields nothing', async () => {
    const stream = createStream(createWordModel());
    expect(await stream.push('   ')).toBe(true);
    stream.tryPush(1);
    stream.end();
    expect((await collect(stream)).map((r) => r.id)).toEqual([1]);
  });

  it('Float32Array vectors on a dense model', async () => {
    const model = createDenseModel();
    const vectors = [new Float32Array([1, 0, -1]), new Float32Array([0.5, 0.25, 2]), new Float32Array([0, 0, 0])];
    const expected = referenceOutputs(model, vectors);
    const stream = createStream(model);
    const consumed = collect(stream);
    for (const v of vectors) await stream.push(v);
    stream.end();
    const results = await consumed;
    expect(results.map((r) => r.input)).toEqual(vectors);
    expect(results.map((r) => r.id)).toEqual([null, null, null]);
    results.forEach((r, t) => expect(Array.from(r.output)).toEqual(Array.from(expected[t])));
  });

  it('top: k adds the k most likely next tokens with their probabilities', async () => {
    const model = createWordModel();
    const stream = createStream(model, { top: 3 });
    stream.tryPush(2);
    stream.end();
    const [result] = await collect(stream);
    // Reference: softmax and ranking by hand from the logits.
    const logits = Array.from(referenceOutputs(model, [2])[0]);
    const max = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - max));
    const sum = exps.reduce((s, v) => s + v, 0);
    const ranked = exps.map((e, id) => ({ id, p: e / sum })).sort((x, y) => y.p - x.p).slice(0, 3);
    expect(result.top!.map((p) => p.id)).toEqual(ranked.map((r) => r.id));
    expect(result.top!.map((p) => p.token)).toEqual(ranked.map((r) => WORDS[r.id]));
    result.top!.forEach((p, i) => expect(p.probability).toBeCloseTo(ranked[i].p, 6));
  });

  it('interleaved producers: results come out in the order the pushes were made', async () => {
    const model = createWordModel();
    const stream = createStream(model, { highWaterMark: 3 });
    const pushOrder: number[] = [];
    // Deterministic pseudo-random pauses make the producers interleave irregularly.
    let seed = 12345;
    const pause = async (): Promise<void> => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const turns = seed % 4;
      for (let i = 0; i < turns; i++) await Promise.resolve();
      if (seed % 7 === 0) await settle();
    };
    const producer = async (ids: number[]): Promise<void> => {
      for (const id of ids) {
        await pause();
        pushOrder.push(id);
        await stream.push(id);
      }
    };
    const consumer = (async () => {
      const ids: number[] = [];
      let n = 0;
      for await (const r of stream) {
        ids.push(r.id as number);
        if (++n % 5 === 0) await settle(); // a slow consumer keeps the queue full
      }
      return ids;
    })();
    const a = Array.from({ length: 40 }, (_, i) => 1 + (i % 5)); // ids 1..5
    const b = Array.from({ length: 40 }, (_, i) => 6 + (i % 6)); // ids 6..11
    const c = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 0 : 3));
    await Promise.all([producer(a), producer(b), producer(c)]);
    stream.end();
    const consumed = await consumer;
    expect(consumed).toEqual(pushOrder);
    expect(consumed.length).toBe(120);
    // Each producer's own order is kept too.
    expect(consumed.filter((id) => id >= 6)).toEqual(b);
  });

  it('a pushed value of the wrong type is the producer\'s typed error; the stream stays open', async () => {
    const stream = createStream(createWordModel());
    const error = await stream.push({} as unknown as number).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe(ErrorCode.INPUT_KIND_MISMATCH);
    expect(() => stream.tryPush(null as unknown as number)).toThrow(InputError);
    stream.tryPush(1);
    stream.end();
    expect((await collect(stream)).length).toBe(1);
  });

  it('text on a model without a tokenizer is rejected at push', async () => {
    const stream = createStream(createDenseModel());
    const error = (await stream.push('hello').catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe(ErrorCode.INPUT_KIND_MISMATCH);
    expect(error.message).toContain('no tokenizer');
    await stream.return();
  });
});
