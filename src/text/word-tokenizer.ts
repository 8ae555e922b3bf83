import type { Tokenizer } from './tokenizer.ts';
import type { Vocabulary } from './vocabulary.ts';
import { joinWords, splitWords } from './word-split.ts';

/**
 * Word tokens as the Brown corpus writes them (see word-split.ts), looked up
 * in a vocabulary. With `lowercase`, tokens are lowercased after splitting, so
 * abbreviations are still recognised by their capital letters.
 */
export class WordTokenizer implements Tokenizer {
  readonly kind = 'word';
  readonly vocabulary: Vocabulary;
  readonly lowercase: boolean;
  private readonly known: (token: string) => boolean;

  constructor(vocabulary: Vocabulary, lowercase = false) {
    this.vocabulary = vocabulary;
    this.lowercase = lowercase;
    this.known = lowercase ? (token) => vocabulary.has(token.toLowerCase()) : (token) => vocabulary.has(token);
  }

  split(text: string): string[] {
    const tokens = splitWords(text, this.known);
    return this.lowercase ? tokens.map((token) => token.toLowerCase()) : tokens;
  }

  encode(text: string): number[] {
    return this.split(text).map((token) => this.vocabulary.idOf(token));
  }

  decode(ids: ArrayLike<number>): string {
    return joinWords(Array.from(ids, (id) => this.vocabulary.tokenOf(id)));
  }
}
