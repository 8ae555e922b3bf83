import { CELL_KINDS, type CellKind } from '../cells/cell.ts';
import { ErrorCode } from '../errors.ts';
import { ConfigError } from './errors.ts';

/** How a step's input reaches the first layer: a token id looked up in an embedding, or a dense vector. */
export type InputKind = 'embedding' | 'dense';

/**
 * The output head o_t = g(V·h_t + b): `softmax` (a step returns the logits;
 * g is applied by the caller that needs probabilities), `linear` (g = identity,
 * for regression) or `none` (a step returns the top layer's h).
 */
export type HeadKind = 'softmax' | 'linear' | 'none';

/** The shape of a model, everything but its weights. Plain data; frozen once validated. */
export interface Architecture {
  readonly cell: CellKind;
  readonly input: InputKind;
  /** Rows of the embedding (token models); 0 for dense input. */
  readonly vocabSize: number;
  /** Width of the first layer's input: the embedding size, or the dense vector length. */
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly head: HeadKind;
  /** Width of the head's output (the vocabulary for softmax heads); 0 when head is `none`. */
  readonly outputSize: number;
}

const INPUT_KINDS: readonly InputKind[] = ['embedding', 'dense'];
const HEAD_KINDS: readonly HeadKind[] = ['softmax', 'linear', 'none'];

/**
 * Checks every field of an architecture and returns a frozen copy.
 * Throws ConfigError (INVALID_CONFIG) naming the first bad field. Cold path.
 */
export function validateArchitecture(architecture: Architecture): Architecture {
  const a = architecture;
  const fail = (field: string, why: string): never => {
    throw new ConfigError(ErrorCode.INVALID_CONFIG, `architecture.${field} ${why}`);
  };
  if (!CELL_KINDS.includes(a.cell)) fail('cell', `is ${JSON.stringify(a.cell)}; expected one of ${CELL_KINDS.join(', ')}`);
  if (!INPUT_KINDS.includes(a.input)) fail('input', `is ${JSON.stringify(a.input)}; expected embedding or dense`);
  if (!HEAD_KINDS.includes(a.head)) fail('head', `is ${JSON.stringify(a.head)}; expected softmax, linear or none`);
  for (const field of ['inputSize', 'hiddenSize', 'numLayers'] as const) {
    if (!isPositiveInteger(a[field])) fail(field, `is ${a[field]}; expected a positive integer`);
  }
  if (a.input === 'embedding' ? !isPositiveInteger(a.vocabSize) : a.vocabSize !== 0) {
    fail('vocabSize', `is ${a.vocabSize}; expected ${a.input === 'embedding' ? 'a positive integer' : '0 for dense input'}`);
  }
  if (a.head === 'none' ? a.outputSize !== 0 : !isPositiveInteger(a.outputSize)) {
    fail('outputSize', `is ${a.outputSize}; expected ${a.head === 'none' ? '0 without a head' : 'a positive integer'}`);
  }
  return Object.freeze({
    cell: a.cell,
    input: a.input,
    vocabSize: a.vocabSize,
    inputSize: a.inputSize,
    hiddenSize: a.hiddenSize,
    numLayers: a.numLayers,
    head: a.head,
    outputSize: a.outputSize,
  });
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
