import { describe, expect, it } from 'vitest';
import { isStreaming } from '../../src/index.ts';
import { installStreamMethods } from '../../src/stream/methods.ts';
import { createWordModel } from './fixtures.ts';

installStreamMethods();

describe('session.stream() and model.stream()', () => {
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

  it('installing twice is harmless', () => {
    installStreamMethods();
    expect(typeof createWordModel().session().stream).toBe('function');
  });
});
