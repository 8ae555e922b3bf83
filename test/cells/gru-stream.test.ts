import { describe, expect, it } from 'vitest';
import { createRandomModel, type Architecture } from '../../src/index.ts';

// Streams run on Session, so a GRU model streams like any other (issue 16,
// item 2): the same outputs as stepping a session, and predictNext works.
describe('GRU models in streams', () => {
  it.each(['gru', 'gru-reset-before'] as const)('%s: model.stream() gives what session.step gives, token by token', async (cell) => {
    const architecture: Architecture = { cell, input: 'embedding', vocabSize: 40, inputSize: 7, hiddenSize: 9, numLayers: 2, head: 'softmax', outputSize: 40 };
    const model = createRandomModel(architecture, { seed: 12 });
    const tokens = Array.from({ length: 30 }, (_, t) => (t * 13 + 5) % 40);
    const session = model.session();
    const expected = tokens.map((token) => Array.from(session.step(token)));
    const stream = model.stream({ highWaterMark: 4 });
    const pushing = (async () => {
      for (const token of tokens) await stream.push(token);
      stream.end();
    })();
    const got: number[][] = [];
    for await (const result of stream) got.push(Array.from(result.output));
    await pushing;
    expect(got).toEqual(expected);
    const top = session.predictNext(3);
    expect(top).toHaveLength(3);
    expect(top[0].probability).toBeGreaterThan(0);
  });
});
