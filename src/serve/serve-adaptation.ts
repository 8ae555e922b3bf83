import type { CacheOptions } from '../adapt/cache-options.ts';
import { ErrorCode } from '../errors.ts';
import { ServeError } from './serve-error.ts';

/**
 * How each client session of a suggestion server adapts to its writer
 * (`adapt` of createSuggestServer, `--adapt`): the recency cache and new
 * words of an AdaptiveSession. Dynamic evaluation is not offered: it keeps a
 * private f32 copy of the weights and their gradients per session (about 8
 * bytes per weight, some 60 MB for the shipped model's 7.3 million against
 * the 7.5 MB the shared model takes), so a few clients would take more
 * memory than a small device has, and each of its updates is a backward
 * pass run inside a keystroke's request.
 */
export interface ServeAdaptationOptions {
  /** The recency cache (AdaptationOptions.cache): its options, or false for none. Default: the model's defaults, then the library's. */
  readonly cache?: CacheOptions | false;
  /** Words outside the vocabulary become suggestions: `{ maxWords }` (default 10,000) or false. Default: on. */
  readonly newWords?: { readonly maxWords?: number } | false;
  /** Tokens after which a sentence is finished and taught (LearningTextTracker). Default `.`, `!`, `?`. */
  readonly sentenceEnds?: readonly string[];
}

const KEYS = new Set(['cache', 'newWords', 'sentenceEnds']);

/**
 * The adaptation a server's `adapt` option asks for: null for none
 * (undefined or false), `{}` (every default) for true, the object as given
 * otherwise. Throws ServeError (SERVE_OPTION_INVALID) for anything else, an
 * unknown field, or `dynamic` (see ServeAdaptationOptions for why). The
 * fields' values are checked against the model when the server is made. O(1).
 */
export function resolveServeAdaptation(adapt: unknown): ServeAdaptationOptions | null {
  if (adapt === undefined || adapt === null || adapt === false) return null;
  if (adapt === true) return Object.freeze({});
  const fail = (why: string): never => {
    throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `serve option adapt ${why}`);
  };
  if (typeof adapt !== 'object' || Array.isArray(adapt)) return fail(`is ${JSON.stringify(adapt)}; expected true, false or { cache, newWords, sentenceEnds }`);
  for (const key of Object.keys(adapt)) {
    if (key === 'dynamic') fail('has dynamic: dynamic evaluation is not offered per client (a private copy of the weights and gradients per session, about 8 bytes per weight)');
    if (!KEYS.has(key)) fail(`has an unknown field ${JSON.stringify(key)}; expected cache, newWords or sentenceEnds`);
  }
  return Object.freeze({ ...(adapt as ServeAdaptationOptions) });
}
