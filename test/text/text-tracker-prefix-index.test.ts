// The prefix index behind the tracker's word completion: a binary-searched
// range that holds exactly the tokens a scan with startsWith would find.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrefixIndex, prefixIndexOf } from '../../src/index.ts';

describe('PrefixIndex', () => {
  it('finds exactly the tokens starting with a prefix, as a scan would (random vocabularies and prefixes)', () => {
    // A small alphabet makes shared prefixes common; a surrogate pair and a high code unit test the ordering.
    const char = fc.constantFrom('a', 'b', 'c', 'A', '.', "'", 'é', '😀', '\uffff');
    const word = fc.array(char, { minLength: 1, maxLength: 5 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.uniqueArray(word, { maxLength: 60 }), fc.array(fc.array(char, { maxLength: 4 }).map((c) => c.join('')), { minLength: 1, maxLength: 8 }), (tokens, prefixes) => {
        const index = new PrefixIndex(tokens);
        for (const prefix of prefixes) {
          const { start, end } = index.rangeOf(prefix);
          const found = Array.from(index.sortedIds.subarray(start, end)).sort((a, b) => a - b);
          const scanned = tokens.flatMap((token, id) => (token.startsWith(prefix) ? [id] : []));
          expect(found).toEqual(scanned);
        }
      }),
      { seed: 4242, numRuns: 2_000 },
    );
  });

  it('returns the whole vocabulary for the empty prefix and an empty range for a prefix nothing has', () => {
    const index = new PrefixIndex(['the', 'then', 'a', 'cat']);
    expect(index.rangeOf('')).toEqual({ start: 0, end: 4 });
    const none = index.rangeOf('zebra');
    expect(none.end - none.start).toBe(0);
    const the = index.rangeOf('the');
    expect(Array.from(index.sortedIds.subarray(the.start, the.end))).toEqual([0, 1]);
  });

  it('is built once per vocabulary and shared', () => {
    const vocabulary = ['x', 'y'];
    expect(prefixIndexOf(vocabulary)).toBe(prefixIndexOf(vocabulary));
    expect(prefixIndexOf(['x', 'y'])).not.toBe(prefixIndexOf(vocabulary));
  });
});
