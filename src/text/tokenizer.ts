import type { Vocabulary } from './vocabulary.ts';

/** Turns text into token ids of one vocabulary and back. Implementations are immutable and shareable. */
export interface Tokenizer {
  readonly kind: 'word' | 'char';
  readonly vocabulary: Vocabulary;
  /** The token strings of `text`, before the vocabulary lookup (lowercased when the settings say so). Allocates. */
  split(text: string): string[];
  /** The ids of `text`; out-of-vocabulary tokens become the unknown id. Allocates the array. */
  encode(text: string): number[];
  /** Readable text for ids. Throws TextError (UNKNOWN_TOKEN) for an id outside the vocabulary. Allocates. */
  decode(ids: ArrayLike<number>): string;
}

/**
 * A tokenizer's settings as a model file stores them. The same shape as the
 * model's `TokenizerSettings` (text/ may not import model/, so it is restated).
 */
export interface TokenizerOptions {
  readonly kind: 'word' | 'char';
  /** The vocabulary entry every out-of-vocabulary token maps to. */
  readonly unknownToken: string;
  readonly lowercase?: boolean;
  readonly [setting: string]: unknown;
}
