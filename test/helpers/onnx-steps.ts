import type { Model } from '../../src/model/model.ts';

/** A sequence of step inputs: token ids for an embedding model, dense rows for the others. */
export interface StepInputs {
  readonly tokens: number[];
  readonly rows: Float32Array[];
}

/** `steps` token ids and dense rows in [−1, 1) from a seeded linear congruential generator (the same numbers on every runtime). */
export function stepInputsOf(model: Model, seed: number, steps: number): StepInputs {
  const a = model.architecture;
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const tokens = Array.from({ length: steps }, () => Math.floor(next() * a.vocabSize));
  const rows = Array.from({ length: steps }, () => Float32Array.from({ length: a.inputSize }, () => 2 * next() - 1));
  return { tokens, rows };
}

/** A fresh session's outputs over the inputs, end to end [steps × width], and its final h and c, as the ONNX tests compare them. */
export function runSteps(model: Model, inputs: StepInputs): { outputs: Float32Array; h: Float32Array; c: Float32Array | null } {
  const session = model.session();
  const chunks: number[] = [];
  for (let t = 0; t < inputs.tokens.length; t++) {
    const out = model.architecture.input === 'embedding' ? session.step(inputs.tokens[t]) : session.step(inputs.rows[t]);
    chunks.push(...out);
  }
  return { outputs: Float32Array.from(chunks), h: session.h.slice(), c: session.c === null ? null : session.c.slice() };
}
