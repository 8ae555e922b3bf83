import type { Tokenizer } from './tokenizer.ts';
import { WordTokenizer } from './word-tokenizer.ts';

/**
 * The tokens of a text that is edited and handed over whole each time,
 * re-split only from where it changed. The word tokenizer splits each
 * whitespace-delimited chunk on its own (word-split.ts: its normalization
 * never reaches across whitespace, and the vocabulary check is per token),
 * so the chunks before the first changed character, up to the last
 * whitespace before it, keep their tokens. Other tokenizers are re-split whole.
 * Cost per update with a word tokenizer: one character compare per
 * character up to the change (native string work), and splitting and
 * looking up only the chunks from the change on.
 */
export class IncrementalTokens {
  /** Every token string of the current text, in order (an unfinished last word included). */
  readonly pieces: string[] = [];
  /** Their vocabulary ids (the unknown id for a piece outside the vocabulary). */
  readonly ids: number[] = [];
  private readonly tokenizer: Tokenizer;
  private readonly byChunk: boolean;
  private text = '';
  /** [chunks] the index just past each chunk: where its following whitespace (or the text) begins. */
  private readonly chunkEnds: number[] = [];
  /** [chunks] pieces.length after each chunk. */
  private readonly chunkPieceEnds: number[] = [];
  private readonly chunk = /\S+/g;

  constructor(tokenizer: Tokenizer) {
    this.tokenizer = tokenizer;
    this.byChunk = tokenizer instanceof WordTokenizer;
  }

  /**
   * Makes pieces and ids those of `text`. Returns how many leading pieces
   * are known to be unchanged from the previous text (0 when the tokenizer
   * is re-split whole; the rest may still happen to be equal).
   */
  update(text: string): number {
    const { pieces, ids } = this;
    const vocabulary = this.tokenizer.vocabulary;
    if (!this.byChunk) {
      pieces.length = 0;
      ids.length = 0;
      for (const piece of this.tokenizer.split(text)) {
        pieces.push(piece);
        ids.push(vocabulary.idOf(piece));
      }
      return 0;
    }
    const previous = this.text;
    const shared = Math.min(previous.length, text.length);
    let same = 0;
    while (same < shared && previous.charCodeAt(same) === text.charCodeAt(same)) same++;
    // A chunk keeps its tokens when the whitespace after it is still there, unchanged.
    let keep = this.chunkEnds.length;
    while (keep > 0 && this.chunkEnds[keep - 1] >= same) keep--;
    const kept = keep > 0 ? this.chunkPieceEnds[keep - 1] : 0;
    this.chunkEnds.length = keep;
    this.chunkPieceEnds.length = keep;
    pieces.length = kept;
    ids.length = kept;
    const chunk = this.chunk;
    chunk.lastIndex = keep > 0 ? this.chunkEnds[keep - 1] : 0;
    for (let found = chunk.exec(text); found !== null; found = chunk.exec(text)) {
      for (const piece of this.tokenizer.split(found[0])) {
        pieces.push(piece);
        ids.push(vocabulary.idOf(piece));
      }
      this.chunkEnds.push(found.index + found[0].length);
      this.chunkPieceEnds.push(pieces.length);
    }
    this.text = text;
    return kept;
  }

  /** Forgets the text: the next update splits from the start. */
  reset(): void {
    this.text = '';
    this.pieces.length = 0;
    this.ids.length = 0;
    this.chunkEnds.length = 0;
    this.chunkPieceEnds.length = 0;
  }
}
