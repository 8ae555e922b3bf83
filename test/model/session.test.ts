import { describe, expect, it } from 'vitest';
import { ErrorCode, fromTorchStateDict, InputError, LstmStreamError, type Model } from '../../src/index.ts';
import { loadTorchFixture, maxAbsDiff, rowOf, type FixtureTensor } from '../helpers/fixtures.ts';

interface LanguageModelFixture {
  params: Record<string, FixtureTensor>;
  inputs: number[];
  logits: FixtureTensor;
}
interface StackFixture {
  params: Record<string, FixtureTensor>;
  x: FixtureTensor;
  y: FixtureTensor;
  h0: FixtureTensor;
  c0: FixtureTensor;
  seq_len: number;
}

const lm = loadTorchFixture<LanguageModelFixture>('lm_lstm_bptt');
const stack = loadTorchFixture<StackFixture>('lstm_2layer');
const languageModel = (): Model => fromTorchStateDict(lm.params);
const denseModel = (): Model => fromTorchStateDict(stack.params);

function errorOf(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect(error).toBeInstanceOf(LstmStreamError);
    return error as InputError;
  }
  throw new Error('expected an InputError, but nothing was thrown');
}

describe('Session state', () => {
  it('starts at zero and reset() returns to the same outputs', () => {
    const session = languageModel().session();
    const first = session.step(lm.inputs[0]).slice();
    session.step(lm.inputs[1]);
    expect(session.h.some((v) => v !== 0)).toBe(true);
    session.reset();
    expect(session.h.every((v) => v === 0) && session.c!.every((v) => v === 0)).toBe(true);
    expect(session.position).toBe(0);
    expect(maxAbsDiff(session.step(lm.inputs[0]), first)).toBe(0);
  });

  it('step returns a borrowed view that the next step overwrites', () => {
    const session = languageModel().session();
    const a = session.step(lm.inputs[0]);
    const kept = a.slice();
    const b = session.step(lm.inputs[1]);
    expect(b).toBe(a);
    expect(maxAbsDiff(a, kept)).toBeGreaterThan(0);
  });

  it('snapshot/restore rewinds to reproduce the PyTorch logits from the middle', () => {
    const session = languageModel().session();
    for (let t = 0; t < 8; t++) session.step(lm.inputs[t]);
    const snapshot = session.snapshot();
    expect(snapshot.length).toBe(session.stateSize);
    expect(session.stateSize).toBe(2 * 2 * 8);
    session.step(3);
    session.step(4);
    session.restore(snapshot);
    for (let t = 8; t < lm.inputs.length; t++) {
      expect(maxAbsDiff(session.step(lm.inputs[t]), rowOf(lm.logits, t))).toBeLessThan(2e-5);
    }
  });

  it('fork() continues identically and independently of its parent', () => {
    const parent = languageModel().session();
    for (let t = 0; t < 5; t++) parent.step(lm.inputs[t]);
    const child = parent.fork();
    expect(child.model).toBe(parent.model);
    expect(child.position).toBe(5);
    for (let t = 5; t < lm.inputs.length; t++) {
      expect(maxAbsDiff(child.step(lm.inputs[t]), rowOf(lm.logits, t))).toBeLessThan(2e-5);
    }
    // The parent was not advanced by the child's steps.
    expect(maxAbsDiff(parent.step(lm.inputs[5]), rowOf(lm.logits, 5))).toBeLessThan(2e-5);
  });

  it('h and c are live, writable views of [numLayers × hiddenSize]', () => {
    const model = denseModel();
    const a = model.session();
    const b = model.session();
    a.h.set(stack.h0.data);
    a.c!.set(stack.c0.data);
    a.step(rowOf(stack.x, 0));
    b.h.set(a.h);
    b.c!.set(a.c!);
    for (let t = 1; t < stack.seq_len; t++) {
      expect(maxAbsDiff(b.step(rowOf(stack.x, t)), rowOf(stack.y, t))).toBeLessThan(2e-5);
    }
    expect(a.h.length).toBe(2 * 8);
  });

  it('sessions on one model share weights but not state', () => {
    const model = languageModel();
    const one = model.session();
    const two = model.session();
    one.step(lm.inputs[0]);
    one.step(lm.inputs[1]);
    expect(two.h.every((v) => v === 0)).toBe(true);
    expect(maxAbsDiff(two.step(lm.inputs[0]), rowOf(lm.logits, 0))).toBeLessThan(2e-5);
    expect(Object.isFrozen(model)).toBe(true);
  });

  it('reports its own memory: state plus scratch, independent of the weights', () => {
    const session = languageModel().session();
    // h, c: 2 layers × 8; xh: max(6, 8) + 8; gates: 4 × 8; logits: 11; the step's top h: 8.
    expect(session.byteLength).toBe(4 * (16 + 16 + 16 + 32 + 11 + 8));
  });
});

describe('Session input errors', () => {
  it('rejects token ids out of range or not integers, naming the id and step', () => {
    const session = languageModel().session();
    session.step(1);
    let error = errorOf(() => session.step(11));
    expect(error.code).toBe(ErrorCode.TOKEN_OUT_OF_RANGE);
    expect(error.message).toBe('step 1: token id 11 is outside the vocabulary [0, 11)');
    expect(errorOf(() => session.step(-1)).code).toBe(ErrorCode.TOKEN_OUT_OF_RANGE);
    error = errorOf(() => session.step(2.5));
    expect(error.code).toBe(ErrorCode.TOKEN_NOT_INTEGER);
    expect(error.message).toContain('2.5');
    expect(errorOf(() => session.step(NaN)).code).toBe(ErrorCode.TOKEN_NOT_INTEGER);
    expect(errorOf(() => session.step(Infinity)).code).toBe(ErrorCode.TOKEN_NOT_INTEGER);
  });

  it('leaves the state untouched when it rejects an input', () => {
    const session = languageModel().session();
    session.step(lm.inputs[0]);
    const before = session.snapshot();
    errorOf(() => session.step(99));
    expect(maxAbsDiff(session.snapshot(), before)).toBe(0);
    expect(session.position).toBe(1);
    expect(maxAbsDiff(session.step(lm.inputs[1]), rowOf(lm.logits, 1))).toBeLessThan(2e-5);
  });

  it('rejects vectors of the wrong kind, length, or with NaN/Infinity', () => {
    const dense = denseModel().session();
    let error = errorOf(() => dense.step(new Float32Array(5)));
    expect(error.code).toBe(ErrorCode.INPUT_LENGTH_MISMATCH);
    expect(error.message).toBe('step 0: input vector has length 5, expected 6');
    const x = new Float32Array(6);
    x[3] = NaN;
    error = errorOf(() => dense.step(x));
    expect(error.code).toBe(ErrorCode.INPUT_NOT_FINITE);
    expect(error.message).toBe('step 0: input element 3 is NaN');
    x[3] = -Infinity;
    expect(errorOf(() => dense.step(x)).code).toBe(ErrorCode.INPUT_NOT_FINITE);
    expect(errorOf(() => dense.step(3)).code).toBe(ErrorCode.INPUT_KIND_MISMATCH);
    expect(errorOf(() => dense.step([1, 2, 3, 4, 5, 6] as unknown as Float32Array)).code).toBe(ErrorCode.INPUT_KIND_MISMATCH);
    expect(errorOf(() => dense.step(new Float64Array(6) as unknown as Float32Array)).code).toBe(ErrorCode.INPUT_KIND_MISMATCH);
    const tokens = languageModel().session();
    expect(errorOf(() => tokens.step(new Float32Array(6))).code).toBe(ErrorCode.INPUT_KIND_MISMATCH);
  });

  it('rejects snapshots of the wrong size or with non-finite values', () => {
    const session = languageModel().session();
    let error = errorOf(() => session.restore(new Float32Array(31)));
    expect(error.code).toBe(ErrorCode.SNAPSHOT_SIZE_MISMATCH);
    expect(error.message).toContain('expected a Float32Array of 32');
    expect(errorOf(() => session.snapshotInto(new Float32Array(33))).code).toBe(ErrorCode.SNAPSHOT_SIZE_MISMATCH);
    expect(errorOf(() => session.restore([0] as unknown as Float32Array)).code).toBe(ErrorCode.SNAPSHOT_SIZE_MISMATCH);
    const bad = new Float32Array(32);
    bad[20] = Infinity;
    error = errorOf(() => session.restore(bad));
    expect(error.code).toBe(ErrorCode.SNAPSHOT_NOT_FINITE);
    expect(error.message).toContain('element 20');
    expect(session.h.every((v) => v === 0)).toBe(true);
  });
});
