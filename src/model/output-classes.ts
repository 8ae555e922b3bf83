import { ErrorCode } from '../errors.ts';
import type { OutputClassLayer } from '../math/class-softmax.ts';
import { topHiddenSize, type Architecture } from './architecture.ts';
import { ConfigError } from './errors.ts';

/**
 * Reads a factorized output from `metadata.outputClasses` (the trainer writes
 * it for a model trained with frequency classes: classCount, classOf [V],
 * weight as C rows of H_top numbers — the top layer's hidden size —, bias [C]) into typed arrays, or null when
 * the metadata has none. Throws ConfigError (INVALID_CONFIG) naming the field
 * that is malformed. Cold path: one pass over the class layer.
 */
export function outputClassesFromMetadata(metadata: Readonly<Record<string, unknown>>, a: Architecture): OutputClassLayer | null {
  const raw = metadata.outputClasses;
  if (raw === undefined || raw === null) return null;
  const fail = (what: string): never => {
    throw new ConfigError(ErrorCode.INVALID_CONFIG, `metadata.outputClasses: ${what}`);
  };
  if (typeof raw !== 'object' || Array.isArray(raw)) fail('expected an object');
  const { classCount, classOf, weight, bias } = raw as Record<string, unknown>;
  if (a.head !== 'softmax') fail(`a factorized output needs a softmax head; this model has ${a.head}`);
  if (!(typeof classCount === 'number' && Number.isInteger(classCount) && classCount >= 1)) fail(`classCount is ${JSON.stringify(classCount)}; expected a positive integer`);
  const C = classCount as number;
  const H = topHiddenSize(a);
  const V = a.outputSize;
  if (!Array.isArray(classOf) || classOf.length !== V) fail(`classOf must list the class of each of the ${V} words`);
  const classes = new Int32Array(V);
  (classOf as unknown[]).forEach((c, w) => {
    if (!(typeof c === 'number' && Number.isInteger(c) && c >= 0 && c < C)) fail(`classOf[${w}] is ${JSON.stringify(c)}; expected an integer in [0, ${C})`);
    classes[w] = c as number;
  });
  if (!Array.isArray(weight) || weight.length !== C) fail(`weight must have ${C} rows`);
  const matrix = new Float32Array(C * H);
  (weight as unknown[]).forEach((row, c) => {
    if (!Array.isArray(row) || row.length !== H) fail(`weight[${c}] must have ${H} numbers (the hidden size)`);
    (row as unknown[]).forEach((v, j) => {
      if (!(typeof v === 'number' && Number.isFinite(v))) fail(`weight[${c}][${j}] is ${JSON.stringify(v)}; expected a finite number`);
      matrix[c * H + j] = v as number;
    });
  });
  if (!Array.isArray(bias) || bias.length !== C) fail(`bias must have ${C} numbers`);
  const biases = new Float32Array(C);
  (bias as unknown[]).forEach((v, c) => {
    if (!(typeof v === 'number' && Number.isFinite(v))) fail(`bias[${c}] is ${JSON.stringify(v)}; expected a finite number`);
    biases[c] = v as number;
  });
  return Object.freeze({ classCount: C, classOf: classes, weight: matrix, bias: biases });
}
