import { ErrorCode } from '../../errors.ts';
import { AdaptError } from '../adapt-error.ts';

/** Which weights dynamic evaluation changes. */
export type AdaptedParameters = 'all' | 'recurrent' | 'biases';

/** Options of dynamic evaluation (see DynamicEvaluation). */
export interface DynamicEvaluationOptions {
  /** Tokens per segment: one update after each. Default {@link DEFAULT_DYNAMIC}.segment. */
  readonly segment?: number;
  /** η, the SGD step on the segment's mean cross-entropy. */
  readonly learningRate?: number;
  /** Share of the way back to the shipped weights after each update, in [0, 1). */
  readonly decay?: number;
  /** 'all', 'recurrent' (recurrent weights and biases, output bias) or 'biases' (recurrent and output biases). */
  readonly parameters?: AdaptedParameters;
  /** Global gradient-norm clip, 0 = off. */
  readonly clip?: number;
  /** Matrix products of the gradient: 'wasm' (default where available) or 'typescript'. */
  readonly kernel?: 'wasm' | 'typescript';
}

/** DynamicEvaluationOptions with every field present. */
export type ResolvedDynamicOptions = { readonly [K in keyof DynamicEvaluationOptions]-?: NonNullable<DynamicEvaluationOptions[K]> };

/** The library's defaults, chosen on the Brown validation split for the shipped model (models/brown-lstm.md, "Adaptation"). */
export const DEFAULT_DYNAMIC: ResolvedDynamicOptions = Object.freeze({
  segment: 20,
  learningRate: 1,
  decay: 0.01,
  parameters: 'all',
  clip: 0,
  kernel: 'wasm',
});

/**
 * The phone-sized preset: the recurrent weights and biases and the output
 * bias only (a 4 MB profile for the shipped model instead of 29 MB), with the
 * learning rate chosen for that subset on the Brown validation split
 * (bench/adaptation/tune-adaptation.ts). What `lstm-stream learn` and
 * `predict --profile` use unless told otherwise.
 */
export const ON_DEVICE_DYNAMIC: DynamicEvaluationOptions = Object.freeze({ parameters: 'recurrent', learningRate: 3, decay: 0.001 });

const PARAMETERS: readonly AdaptedParameters[] = ['all', 'recurrent', 'biases'];

/**
 * Fills defaults (from `defaults`, e.g. the model's metadata.adaptation.dynamic,
 * then DEFAULT_DYNAMIC) and checks each option. Throws AdaptError
 * (ADAPT_OPTION_INVALID) naming the bad one.
 */
export function resolveDynamicOptions(options: DynamicEvaluationOptions, defaults: Record<string, unknown> = {}): ResolvedDynamicOptions {
  const resolved = { ...DEFAULT_DYNAMIC, ...defaults, ...definedFields(options) } as ResolvedDynamicOptions;
  const fail = (what: string): never => {
    throw new AdaptError(ErrorCode.ADAPT_OPTION_INVALID, `dynamic evaluation ${what}`);
  };
  const { segment, learningRate, decay, parameters, clip, kernel } = resolved;
  if (!Number.isInteger(segment) || segment < 1 || segment > 10_000) fail(`segment is ${segment}; expected an integer in [1, 10000]`);
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate < 0) fail(`learningRate is ${learningRate}; expected a finite number ≥ 0`);
  if (typeof decay !== 'number' || !(decay >= 0 && decay < 1)) fail(`decay is ${decay}; expected a number in [0, 1)`);
  if (!PARAMETERS.includes(parameters)) fail(`parameters is ${JSON.stringify(parameters)}; expected ${PARAMETERS.join(', ')}`);
  if (typeof clip !== 'number' || !Number.isFinite(clip) || clip < 0) fail(`clip is ${clip}; expected a finite number ≥ 0`);
  if (kernel !== 'wasm' && kernel !== 'typescript') fail(`kernel is ${JSON.stringify(kernel)}; expected wasm or typescript`);
  return Object.freeze(resolved);
}

/** The fields of `options` that are set: spreading it over defaults never overwrites one with undefined. */
export function definedFields<T extends object>(options: T): Partial<T> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) if (value !== undefined) fields[key] = value;
  return fields as Partial<T>;
}
