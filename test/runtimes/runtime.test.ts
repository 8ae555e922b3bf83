import { describe, expect, it } from 'vitest';
import { runtimeName } from '../helpers/runtime.ts';

// npm test runs the suites three times, setting LSTM_STREAM_RUNTIME for the
// Deno and Bun runs; this proves each run really executed on that runtime
// (a runner that quietly fell back to Node would fail here).
describe('runtime smoke', () => {
  it('runs on the runtime the test script asked for', () => {
    const expected = process.env.LSTM_STREAM_RUNTIME ?? 'node';
    expect(runtimeName()).toBe(expected);
  });
});
