import { describe, expect, it } from 'vitest';
import { CharTokenizer, createTokenizer, ErrorCode, TextError, Vocabulary, WordTokenizer } from '../../src/index.ts';

describe('Vocabulary', () => {
  const vocabulary = new Vocabulary(['<unk>', 'the', 'cat'], '<unk>');

  it('maps both ways, with the unknown token for anything else', () => {
    expect(vocabulary.size).toBe(3);
    expect(vocabulary.idOf('cat')).toBe(2);
    expect(vocabulary.idOf('dog')).toBe(0);
    expect(vocabulary.unknownId).toBe(0);
    expect(vocabulary.tokenOf(1)).toBe('the');
    expect(vocabulary.has('dog')).toBe(false);
  });

  it('typed errors: repeated entry, missing unknown token, id out of range, no unknown token', () => {
    expect(() => new Vocabulary(['a', 'b', 'a'])).toThrow(expect.objectContaining({ code: ErrorCode.VOCABULARY_INVALID, message: expect.stringContaining('entry 2 "a" repeats entry 0') }));
    expect(() => new Vocabulary(['a'], '<unk>')).toThrow(expect.objectContaining({ code: ErrorCode.VOCABULARY_INVALID }));
    expect(() => vocabulary.tokenOf(3)).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_TOKEN }));
    expect(() => new Vocabulary(['a']).idOf('b')).toThrow(TextError);
  });
});

describe('tokenizers from model settings', () => {
  it('word: Brown splitting, lowercase after splitting, unknown ids', () => {
    const tokenizer = createTokenizer({ kind: 'word', unknownToken: '<unk>', lowercase: true }, ['<unk>', 'the', 'cat', "don't", 'mr.', '.', 'sat']);
    expect(tokenizer).toBeInstanceOf(WordTokenizer);
    expect(tokenizer.split("The cat don't sat, Mr. Ed.")).toEqual(['the', 'cat', "don't", 'sat', ',', 'mr.', 'ed', '.']);
    expect(tokenizer.encode("The cat don't sat, Mr. Ed.")).toEqual([1, 2, 3, 6, 0, 4, 0, 5]);
    expect(tokenizer.decode([1, 2, 6, 5])).toBe('the cat sat.');
  });

  it('char: one token per code point, so an emoji is one token', () => {
    const tokenizer = createTokenizer({ kind: 'char', unknownToken: '?', lowercase: true }, ['?', 'a', 'b', ' ', '🙂']);
    expect(tokenizer).toBeInstanceOf(CharTokenizer);
    expect(tokenizer.split('Ab 🙂')).toEqual(['a', 'b', ' ', '🙂']);
    expect(tokenizer.encode('Ab 🙂!')).toEqual([1, 2, 3, 4, 0]);
    expect(tokenizer.decode([2, 1, 4])).toBe('ba🙂');
  });

  it('typed errors for bad settings', () => {
    expect(() => createTokenizer({ kind: 'bpe' as 'word', unknownToken: 'x' }, ['x'])).toThrow(expect.objectContaining({ code: ErrorCode.TOKENIZER_INVALID }));
    expect(() => createTokenizer({ kind: 'word', unknownToken: 'x' }, ['y'])).toThrow(expect.objectContaining({ code: ErrorCode.VOCABULARY_INVALID }));
    expect(() => createTokenizer(null as never, ['y'])).toThrow(expect.objectContaining({ code: ErrorCode.TOKENIZER_INVALID }));
  });
});
