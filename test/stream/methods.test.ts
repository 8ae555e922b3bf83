import { describe, expect, it } from 'vitest';
import { isStreaming } from '../../src/index.ts';
import { createWordModel } from './fixtures.ts';

describe('session.stream(), model.stream() and session.predictNext()', () => {
  it('session.stream() streams over that session', async () => {
    const session = createWordModel().session();
    const stream = session.stream({ highWaterMark: 2 });
    expect(isStreaming(session)).toBe(true);
    stream.tryPush(1);
    stream.end();
    for await (const r of stream) expect(r.id).toBe(1);
    expect(session.position).toBe(1);
    expect(isStreaming(session)).toBe(false);
  });

  it('model.stream() makes its own session each time', async () => {
    const model = createWordModel();
    const a = model.stream();
    const b = model.stream();
    a.tryPush(1);
    b.tryPush(1);
    a.end();
    b.end();
    const ra = (await a.next()).value!;
    const rb = (await b.next()).value!;
    expect(ra.output).not.toBe(rb.output);
    expect(Array.from(ra.output)).toEqual(Array.from(rb.output)); // same state history, separate sessions
  });

  it('session.predictNext(k) gives the probabilities of the next token without stepping', () => {
    const session = createWordModel().session();
    const logits = session.step(1).slice();
    const position = session.position;
    const top = session.predictNext(3);
    const max = Math.max(...logits);
    const total = logits.reduce((sum, v) => sum + Math.exp(v - max), 0);
    const best = logits.indexOf(max);
    expect(top[0].id).toBe(best);
    expect(top[0].probability).toBeCloseTo(1 / total, 6);
    expect(top.map((p) => p.probability)).toEqual([...top.map((p) => p.probability)].sort((a, b) => b - a));
    expect(session.position).toBe(position);
  });
});
