// The tracker's incremental tokenization: after any edit, the same tokens as
// splitting the whole text again, for the word tokenizer's tricky cases
// (quotes, dashes, abbreviations, apostrophes, Unicode punctuation).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IncrementalTokens } from '../../src/text/incremental-tokens.ts';
import { createTokenizer } from '../../src/index.ts';
import { runtimeName } from '../helpers/runtime.ts';

const RUNS = runtimeName() === 'node' ? 3_000 : 300;

describe('IncrementalTokens', () => {
  const vocabulary = ['<unk>', 'the', 'Mr.', 'Md.', "don't", "parents'", "'em", '``', "''", '--', '.', ',', 'U.S.', 'it'];
  const fragments = ['the', 'Mr', '.', 'Md', "don't", 'parents', "'", '"', '\u201c', '\u201d', '\u2014', '-', '--', '\u2026', '\u2019', 'U.S', ',', '(', ')', ' ', ' ', '\n', '\t', '\u00a0', 'it', 'x'];
  const fragment = fc.constantFrom(...fragments);
  const text = fc.array(fragment, { maxLength: 16 }).map((parts) => parts.join(''));
  const edit = fc.record({ at: fc.noBias(fc.integer({ min: 0, max: 1000 })), length: fc.integer({ min: 0, max: 6 }), insert: fc.array(fragment, { maxLength: 3 }).map((p) => p.join('')) });

  for (const lowercase of [false, true]) {
    it(`gives the tokens of a whole split after every edit (${lowercase ? 'lowercased' : 'as typed'})`, () => {
      const tokenizer = createTokenizer({ kind: 'word', unknownToken: '<unk>', lowercase }, lowercase ? vocabulary.map((t) => (t === '<unk>' ? t : t.toLowerCase())) : vocabulary);
      fc.assert(
        fc.property(text, fc.array(edit, { minLength: 1, maxLength: 8 }), (start, edits) => {
          const tokens = new IncrementalTokens(tokenizer);
          let current = start;
          let previous: string[] = [];
          for (const e of [null, ...edits]) {
            if (e !== null) {
              const at = Math.round((e.at / 1000) * current.length);
              current = current.slice(0, at) + e.insert + current.slice(at + e.length);
            }
            const unchanged = tokens.update(current);
            const whole = tokenizer.split(current);
            expect(tokens.pieces).toEqual(whole);
            expect(tokens.ids).toEqual(whole.map((piece) => tokenizer.vocabulary.idOf(piece)));
            // What it claims unchanged was indeed there before.
            expect(whole.slice(0, unchanged)).toEqual(previous.slice(0, unchanged));
            previous = whole;
          }
        }),
        { seed: 99, numRuns: RUNS },
      );
    });
  }

  it('re-splits only the chunk being typed when text is added at the end', () => {
    const tokenizer = createTokenizer({ kind: 'word', unknownToken: '<unk>' }, vocabulary);
    const tokens = new IncrementalTokens(tokenizer);
    const long = 'the Mr. it '.repeat(200);
    expect(tokens.update(long)).toBe(0);
    expect(tokens.update(`${long}t`)).toBe(600);
    expect(tokens.update(`${long}th`)).toBe(600);
    expect(tokens.update(`${long}the `)).toBe(600);
    expect(tokens.update(`${long}the i`)).toBe(601);
    expect(tokens.update(`x${long}`)).toBe(0);
  });
});
