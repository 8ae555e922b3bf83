/**
 * The tokens of a vocabulary in sorted order, so that every token starting
 * with a prefix is one contiguous range found by two binary searches: what a
 * keyboard needs to complete the word being typed without scanning the whole
 * vocabulary on every keystroke. Immutable; build it once per vocabulary with
 * {@link prefixIndexOf}, which shares it.
 * Memory: one Int32Array of V ids (the strings are the vocabulary's own).
 */
export class PrefixIndex {
  /** The vocabulary the ids point into. */
  readonly tokens: readonly string[];
  /** [V] token ids, ordered by their strings (UTF-16 code units, as `<` compares). */
  readonly sortedIds: Int32Array;

  /** Cold path: one sort of V strings, O(V log V) compares. Prefer {@link prefixIndexOf}. */
  constructor(tokens: readonly string[]) {
    this.tokens = tokens;
    const ids = Array.from(tokens, (_, id) => id);
    ids.sort((a, b) => (tokens[a] < tokens[b] ? -1 : tokens[a] > tokens[b] ? 1 : a - b));
    this.sortedIds = Int32Array.from(ids);
    Object.freeze(this);
  }

  /** Number of tokens indexed. */
  get size(): number {
    return this.sortedIds.length;
  }

  /**
   * The range [start, end) of {@link sortedIds} whose tokens start with
   * `prefix` (the whole index for ''). Cost: two binary searches,
   * O(log V · |prefix|) character compares; no allocation.
   */
  rangeOf(prefix: string): { start: number; end: number } {
    const start = this.lowerBound(prefix);
    return { start, end: this.endOfPrefix(prefix, start) };
  }

  /** The first sorted position whose token is ≥ prefix. */
  private lowerBound(prefix: string): number {
    const { tokens, sortedIds } = this;
    let low = 0;
    let high = sortedIds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (tokens[sortedIds[middle]] < prefix) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * The first position at or after `start` whose token does not start with
   * `prefix`. Tokens with the prefix come first among those ≥ it, so
   * "starts with" is true then false from `start` on: a binary search on it.
   */
  private endOfPrefix(prefix: string, start: number): number {
    const { tokens, sortedIds } = this;
    let low = start;
    let high = sortedIds.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (tokens[sortedIds[middle]].startsWith(prefix)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

const indexes = new WeakMap<readonly string[], PrefixIndex>();

/**
 * The prefix index of a vocabulary (a model's `vocabulary` array), built on
 * first use and then shared by every tracker, session and request of that
 * model. Cold path on the first call (a sort); a WeakMap lookup afterwards.
 */
export function prefixIndexOf(vocabulary: readonly string[]): PrefixIndex {
  let index = indexes.get(vocabulary);
  if (index === undefined) {
    index = new PrefixIndex(vocabulary);
    indexes.set(vocabulary, index);
  }
  return index;
}
