import type { Tokenizer } from './tokenizer.ts';
import type { Vocabulary } from './vocabulary.ts';

/**
 * One token per Unicode code point (so an emoji is one token, not two UTF-16
 * halves), looked up in a vocabulary; optionally lowercased first.
 */
export class CharTokenizer implements Tokenizer {
  readonly kind = 'char';
  readonly vocabulary: Vocabulary;
  readonly lowercase: boolean;

  constructor(vocabulary: Vocabulary, lowercase = false) {
    this.vocabulary = vocabulary;
    this.lowercase = lowercase;
  }

  split(text: string): string[] {
    return Array.from(this.lowercase ? text.toLowerCase() : text);
  }

  encode(text: string): number[] {
    return this.split(text).map((token) => this.vocabulary.idOf(token));
  }

  decode(ids: ArrayLike<number>): string {
    let text = '';
    for (let i = 0; i < ids.length; i++) text += this.vocabulary.tokenOf(ids[i]);
    return text;
  }
}
