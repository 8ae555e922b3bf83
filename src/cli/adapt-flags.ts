import { AdaptError } from '../adapt/adapt-error.ts';
import type { AdaptationOptions } from '../adapt/adaptation-options.ts';
import type { CacheOptions } from '../adapt/cache-options.ts';
import { dynamicEvaluation } from '../adapt/dynamic/dynamic-evaluation.ts';
import { definedFields, type AdaptedParameters, type DynamicEvaluationOptions } from '../adapt/dynamic/dynamic-options.ts';
import { ErrorCode } from '../errors.ts';
import type { Model } from '../model/model.ts';

/** The parseArgs options every adapting command takes (eval --adapt, learn, predict --profile). */
export const ADAPT_FLAGS = {
  cache: { type: 'string' },
  'cache-size': { type: 'string' },
  theta: { type: 'string' },
  lambda: { type: 'string' },
  dynamic: { type: 'string' },
  'dynamic-lr': { type: 'string' },
  'dynamic-decay': { type: 'string' },
  segment: { type: 'string' },
  'adapt-parameters': { type: 'string' },
} as const;

/** Usage lines for {@link ADAPT_FLAGS}. */
export const ADAPT_USAGE = `adaptation (defaults: the model's metadata.adaptation, else the library's;
learn and predict --profile adapt the recurrent weights only, a 4 MB profile
for the shipped model, unless --adapt-parameters all):
  --cache KIND            continuous | unigram | none
  --cache-size N          entries the cache keeps (W)
  --theta X               how sharply the continuous cache prefers similar states
  --lambda X              the cache's share of the mixture, in [0, 1)
  --dynamic on|off        dynamic evaluation: a gradient step after every segment
  --dynamic-lr X          its learning rate
  --dynamic-decay X       its decay towards the shipped weights after each update
  --segment N             tokens per dynamic-evaluation update
  --adapt-parameters P    all | recurrent | biases: which weights dynamic evaluation changes`;

export type AdaptFlagValues = { [K in keyof typeof ADAPT_FLAGS]?: string | undefined };

/**
 * AdaptationOptions from the command's flags: the cache as asked (or the
 * defaults), dynamic evaluation made for `model` unless `--dynamic off`
 * (`dynamicByDefault` false: only with `--dynamic on`), its unset options
 * from `dynamicPreset`, then the model's and the library's defaults. Throws AdaptError
 * (ADAPT_OPTION_INVALID) for a value that is not a number or a known word.
 */
export function adaptationFromFlags(model: Model, values: AdaptFlagValues, dynamicByDefault: boolean, dynamicPreset: DynamicEvaluationOptions = {}): AdaptationOptions {
  const number = (flag: keyof AdaptFlagValues): number | undefined => {
    const text = values[flag];
    if (text === undefined) return undefined;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new AdaptError(ErrorCode.ADAPT_OPTION_INVALID, `--${flag} is ${JSON.stringify(text)}; expected a number`);
    return value;
  };
  const kind = values.cache;
  if (kind !== undefined && kind !== 'continuous' && kind !== 'unigram' && kind !== 'none') {
    throw new AdaptError(ErrorCode.ADAPT_OPTION_INVALID, `--cache is ${JSON.stringify(kind)}; expected continuous, unigram or none`);
  }
  const cache: CacheOptions | false =
    kind === 'none' ? false : { kind: kind as CacheOptions['kind'], size: number('cache-size'), theta: number('theta'), lambda: number('lambda') };
  const dynamicFlag = values.dynamic ?? (dynamicByDefault ? 'on' : 'off');
  if (dynamicFlag !== 'on' && dynamicFlag !== 'off') throw new AdaptError(ErrorCode.ADAPT_OPTION_INVALID, `--dynamic is ${JSON.stringify(dynamicFlag)}; expected on or off`);
  const fromFlags: DynamicEvaluationOptions = definedFields({
    learningRate: number('dynamic-lr'),
    decay: number('dynamic-decay'),
    segment: number('segment'),
    parameters: values['adapt-parameters'] as AdaptedParameters | undefined,
  });
  return { cache, dynamic: dynamicFlag === 'on' ? dynamicEvaluation(model, { ...dynamicPreset, ...fromFlags }) : null };
}
