// Runs examples/next-word/next-word.mjs the way its README says and checks
// its suggestions. On Node only: the example is a `node …` program, so
// running it again from Deno and Bun would test the same Node process.
import { describe, expect, it } from 'vitest';
import { onNode } from '../helpers/runtime.ts';
import { brownWords } from './brown-words.ts';
import { charModel, hasShippedWordModel, hasWordModel, runExample, wordModel } from './run-example.ts';

interface Line {
  text: string;
  suggestions: { word: string; probability: number }[];
}

function suggest(model: string | null, texts: string[]): Line[] {
  const { status, stdout, stderr } = runExample('examples/next-word/next-word.mjs', [...(model === null ? [] : ['--model', model]), '--json', ...texts]);
  expect(stderr.replace(/^note: .*\n/m, '')).toBe('');
  expect(status).toBe(0);
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Line);
}

function checkShape(lines: Line[], texts: string[]): void {
  expect(lines.map((line) => line.text)).toEqual(texts);
  for (const { suggestions } of lines) {
    expect(suggestions.length).toBe(5);
    const probabilities = suggestions.map((s) => s.probability);
    for (const p of probabilities) expect(p > 0 && p <= 1).toBe(true);
    expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
    expect(new Set(suggestions.map((s) => s.word)).size).toBe(5);
  }
}

describe.skipIf(!onNode)('example: next-word suggestions', () => {
  it('with no --model: the word model when shipped, else the character model with a note saying so', () => {
    const { status, stdout, stderr } = runExample('examples/next-word/next-word.mjs', []);
    expect(status).toBe(0);
    // Four default texts, one line each, each with suggestions.
    expect(stdout.trim().split('\n')).toHaveLength(4);
    expect(stdout).toMatch(/^The jury said {2}→ \S+ \(\d+\.\d%\)/m);
    if (hasShippedWordModel) expect(stderr).toBe('');
    else expect(stderr).toContain('brown-lstm.q8.msgpack is not there; using the character model');
  });

  // The shipped character model, which the example falls back to when no word model is there.
  it('character model: completes the word being typed, and suggests English words', () => {
    const texts = ['The Grand Ju', 'The jury said ', 'It was a ', 'He looked at the ', 'The government of the United '];
    const lines = suggest(charModel, texts);
    checkShape(lines, texts);
    for (const { word } of lines[0].suggestions) expect(word.startsWith('Ju')).toBe(true);
    // A model that learned English spells most of its first choices right; random weights score near 0.
    const known = brownWords();
    const firstChoices = lines.map((line) => line.suggestions[0].word.toLowerCase());
    expect(firstChoices.filter((word) => known.has(word)).length).toBeGreaterThanOrEqual(4);
    const all = lines.flatMap((line) => line.suggestions.map((s) => s.word.toLowerCase()));
    expect(all.filter((word) => known.has(word)).length / all.length).toBeGreaterThan(0.6);
  });

  it.skipIf(!hasWordModel)('word model: completions of the word being typed, no corpus markup, the common words first', () => {
    const texts = ['The jury said ', 'It was a ', 'The Grand Ju'];
    const lines = suggest(wordModel, texts);
    checkShape(lines, texts);
    for (const { word } of lines[2].suggestions) expect(word.toLowerCase().startsWith('ju')).toBe(true);
    for (const { suggestions } of lines) for (const { word } of suggestions) expect(word).not.toMatch(/^<.*>$/);
    // Any word model draws its words from Brown, so being English proves nothing; a trained one ranks the
    // frequent words after "The jury said" (that, the, it …) high, where random weights pick 5 of V at random.
    const common = new Set(['that', 'the', 'it', 'he', 'they', 'in', 'a', 'to', 'on', 'there', ',', '.', 'and', 'of', 'was']);
    expect(lines[0].suggestions.some(({ word }) => common.has(word.toLowerCase()))).toBe(true);
  });
});
