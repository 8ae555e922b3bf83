/** Longest new word kept, in UTF-16 units (longer strings are not words a keyboard suggests). */
export const MAX_NEW_WORD_LENGTH = 64;

/**
 * The words outside the vocabulary that a writer has typed (the model read
 * each as the unknown token), with how often. Bounded: once `capacity` words
 * are held, a new one replaces the least used (the oldest among equals), and
 * `onEvict` lets the owner drop references to the evicted index.
 * Cold path (a new word is rare): `observe` allocates only for a word not seen before.
 */
export class NewWordTable {
  readonly capacity: number;
  private readonly texts: string[] = [];
  private readonly counts: number[] = [];
  private readonly indexOf = new Map<string, number>();

  /** Holds at most `capacity` words (≥ 1). */
  constructor(capacity = 10_000) {
    this.capacity = capacity;
  }

  /** Words held. */
  get size(): number {
    return this.texts.length;
  }

  /** The word at an index (0 ≤ index < size). */
  textOf(index: number): string {
    return this.texts[index];
  }

  /** How often the word at an index was typed. */
  countOf(index: number): number {
    return this.counts[index];
  }

  /** True when `text` can be a new word: 1 … 64 UTF-16 units, no whitespace. */
  static isWord(text: string): boolean {
    return text.length > 0 && text.length <= MAX_NEW_WORD_LENGTH && !/\s/.test(text);
  }

  /**
   * Counts one use of `text` and returns its index, or −1 when it is not a word
   * (see isWord). A new word past capacity takes the least used word's index;
   * `onEvict(index)` is called first so references to the old word can go.
   */
  observe(text: string, onEvict?: (index: number) => void): number {
    if (!NewWordTable.isWord(text)) return -1;
    const known = this.indexOf.get(text);
    if (known !== undefined) {
      this.counts[known]++;
      return known;
    }
    if (this.texts.length < this.capacity) {
      this.texts.push(text);
      this.counts.push(1);
      this.indexOf.set(text, this.texts.length - 1);
      return this.texts.length - 1;
    }
    let victim = 0;
    for (let i = 1; i < this.counts.length; i++) if (this.counts[i] < this.counts[victim]) victim = i;
    onEvict?.(victim);
    this.indexOf.delete(this.texts[victim]);
    this.texts[victim] = text;
    this.counts[victim] = 1;
    this.indexOf.set(text, victim);
    return victim;
  }

  /** Adds a word with a count, as a profile stores it (its index is the next one). Returns the index, or −1 when full or not a word. */
  add(text: string, count: number): number {
    if (!NewWordTable.isWord(text) || this.texts.length >= this.capacity || this.indexOf.has(text)) return -1;
    this.texts.push(text);
    this.counts.push(count);
    this.indexOf.set(text, this.texts.length - 1);
    return this.texts.length - 1;
  }

  /** Forgets every word. */
  clear(): void {
    this.texts.length = 0;
    this.counts.length = 0;
    this.indexOf.clear();
  }
}
