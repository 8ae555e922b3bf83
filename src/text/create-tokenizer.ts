import { ErrorCode } from '../errors.ts';
import { CharTokenizer } from './char-tokenizer.ts';
import { TextError } from './errors.ts';
import type { Tokenizer, TokenizerOptions } from './tokenizer.ts';
import { Vocabulary } from './vocabulary.ts';
import { WordTokenizer } from './word-tokenizer.ts';

/**
 * The tokenizer that settings describe, over a vocabulary (strings or a
 * built Vocabulary). Throws TextError (TOKENIZER_INVALID) for an unknown kind
 * and VOCABULARY_INVALID when the unknown token is missing. Cold path: builds
 * the vocabulary's map when given strings.
 */
export function createTokenizer(settings: TokenizerOptions, vocabulary: Vocabulary | readonly string[]): Tokenizer {
  if (settings === null || typeof settings !== 'object') {
    throw new TextError(ErrorCode.TOKENIZER_INVALID, `tokenizer settings are ${settings === null ? 'null' : typeof settings}, expected an object`);
  }
  if (typeof settings.unknownToken !== 'string') {
    throw new TextError(ErrorCode.TOKENIZER_INVALID, 'tokenizer.unknownToken must be a string');
  }
  const lowercase = settings.lowercase === true;
  const built = vocabulary instanceof Vocabulary ? vocabulary : new Vocabulary(vocabulary, settings.unknownToken);
  if (!built.has(settings.unknownToken)) {
    throw new TextError(ErrorCode.VOCABULARY_INVALID, `tokenizer.unknownToken ${JSON.stringify(settings.unknownToken)} is not in the vocabulary`);
  }
  if (settings.kind === 'word') return new WordTokenizer(built, lowercase);
  if (settings.kind === 'char') return new CharTokenizer(built, lowercase);
  throw new TextError(ErrorCode.TOKENIZER_INVALID, `tokenizer.kind is ${JSON.stringify(settings.kind)}; expected word or char`);
}

/** What {@link tokenizerOf} reads from a model: its tokenizer settings and vocabulary. */
export interface TextModelLike {
  readonly tokenizer: TokenizerOptions | null;
  readonly vocabulary: readonly string[] | null;
}

const cache = new WeakMap<object, Tokenizer | null>();

/**
 * The tokenizer of a model (null when it has no tokenizer settings or no
 * vocabulary), built on first use and then shared by every caller: one
 * vocabulary map per model, none per session or stream. Cold path on first call.
 */
export function tokenizerOf(model: TextModelLike): Tokenizer | null {
  let tokenizer = cache.get(model);
  if (tokenizer === undefined) {
    tokenizer = model.tokenizer !== null && model.vocabulary !== null ? createTokenizer(model.tokenizer, model.vocabulary) : null;
    cache.set(model, tokenizer);
  }
  return tokenizer;
}
