import { ErrorCode } from '../errors.ts';
import { tokenizerOf, type TextModelLike } from './create-tokenizer.ts';
import { TextError } from './errors.ts';
import { Sampler, type SamplingOptions } from './sampler.ts';

/** The parts of a Model that {@link generate} uses (a Model fits). */
export interface GeneratingModelLike extends TextModelLike {
  readonly architecture: { readonly input: string; readonly vocabSize: number; readonly head: string; readonly outputSize: number };
  session(): { step(input: number): Float32Array };
}

/** Options of {@link generate}: sampling plus a length. */
export interface GenerateOptions extends SamplingOptions {
  /** How many tokens to generate after the prompt. Default 20. */
  readonly maxTokens?: number;
  /** Let the model's unknown token be drawn (it is a placeholder, not a word). Default false. */
  readonly allowUnknown?: boolean;
  /**
   * The session to read the prompt into and generate from, e.g. an
   * AdaptiveSession (its steps return the adapted mixture); it must be fresh
   * or at the state to continue from, and is left after the last token.
   * Default: a new session of the model.
   */
  readonly session?: { step(input: number): Float32Array };
}

/** What {@link generate} produced, the prompt not included. */
export interface Generation {
  readonly ids: number[];
  /** The vocabulary strings of `ids` (their decimal ids when the model has no vocabulary). */
  readonly tokens: string[];
  /** `tokens` joined as text by the model's tokenizer (space-joined without one). */
  readonly text: string;
}

/**
 * Reads a prompt (text, tokenized with the model's tokenizer, or token ids)
 * into a fresh session (or options.session), then samples `maxTokens` tokens,
 * feeding each back in. The unknown token is never drawn unless allowUnknown.
 * Seeded: the same model, prompt and options give the same text on every runtime.
 * Throws TextError (NOT_A_LANGUAGE_MODEL) unless the model reads token ids and
 * has a softmax head over the same vocabulary; TextError for bad options or
 * a text prompt without a tokenizer; the session's InputError for a bad id.
 * Cost: one session, then (prompt length + maxTokens) steps and samples.
 */
export function generate(model: GeneratingModelLike, prompt: string | readonly number[], options: GenerateOptions = {}): Generation {
  const a = model.architecture;
  if (a.input !== 'embedding' || a.head !== 'softmax' || a.outputSize !== a.vocabSize) {
    throw new TextError(
      ErrorCode.NOT_A_LANGUAGE_MODEL,
      `generate needs token input and a softmax head over the same vocabulary; this model has ${a.input} input and a ${a.head} head of ${a.outputSize}`,
    );
  }
  const maxTokens = options.maxTokens ?? 20;
  if (!Number.isInteger(maxTokens) || maxTokens < 0) {
    throw new TextError(ErrorCode.SAMPLING_OPTION_INVALID, `maxTokens is ${maxTokens}; expected an integer ≥ 0`);
  }
  const tokenizer = tokenizerOf(model);
  let promptIds: readonly number[];
  if (typeof prompt === 'string') {
    if (tokenizer === null) {
      throw new TextError(ErrorCode.TOKENIZER_INVALID, 'generate got a text prompt, but the model has no tokenizer and vocabulary; pass token ids');
    }
    promptIds = tokenizer.encode(prompt);
  } else {
    promptIds = prompt;
  }
  if (promptIds.length === 0) {
    throw new TextError(ErrorCode.SAMPLING_OPTION_INVALID, 'generate got an empty prompt; it needs at least one token to condition on');
  }
  const unknownId = tokenizer !== null && model.tokenizer !== null ? unknownIdOf(model) : -1;
  const exclude = options.allowUnknown === true || unknownId < 0 ? (options.exclude ?? []) : [...(options.exclude ?? []), unknownId];
  const sampler = new Sampler(a.outputSize, { ...options, exclude });
  const session = options.session ?? model.session();
  let logits: Float32Array = session.step(promptIds[0]);
  for (let i = 1; i < promptIds.length; i++) logits = session.step(promptIds[i]);
  const ids: number[] = [];
  for (let i = 0; i < maxTokens; i++) {
    const id = sampler.sample(logits);
    ids.push(id);
    if (i + 1 < maxTokens) logits = session.step(id);
  }
  const vocabulary = model.vocabulary;
  const tokens = ids.map((id) => (vocabulary === null ? String(id) : vocabulary[id]));
  const text = tokenizer === null ? tokens.join(' ') : tokenizer.decode(ids);
  return { ids, tokens, text };
}

/** The id of the model's unknown token, or −1. */
function unknownIdOf(model: GeneratingModelLike): number {
  const unknown = model.tokenizer?.unknownToken;
  return unknown === undefined || model.vocabulary === null ? -1 : model.vocabulary.indexOf(unknown);
}
