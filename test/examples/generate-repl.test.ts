// Drives examples/generate-repl/generate-repl.mjs through piped stdin. On Node
// only: the example is a `node …` program (Deno and Bun would run the same).
import { describe, expect, it } from 'vitest';
import { onNode } from '../helpers/runtime.ts';
import { englishShare } from './brown-words.ts';
import { charModel, hasWordModel, runExample, wordModel } from './run-example.ts';

const lines = 'The jury said\nIt was a cold night and\nThe President of the United States\n';

function replies(model: string, seed: number): string[] {
  const { status, stdout, stderr } = runExample('examples/generate-repl/generate-repl.mjs', ['--model', model, '--seed', String(seed), '--temperature', '0.5'], lines);
  expect(stderr).toBe('');
  expect(status).toBe(0);
  return stdout.trim().split('\n');
}

describe.skipIf(!onNode)('example: text generation REPL', () => {
  // The character model stands in until the word model is shipped; the word model is checked below when it is there.
  it('character model: one reply per line typed, seeded, mostly English', () => {
    const first = replies(charModel, 7);
    expect(first).toHaveLength(3);
    for (const reply of first) {
      expect(reply.startsWith('… ')).toBe(true);
      expect(reply.length).toBeGreaterThan(20);
    }
    expect(replies(charModel, 7)).toEqual(first);
    expect(replies(charModel, 8)).not.toEqual(first);
    // Random weights write letter salad (share near 0); this model writes mostly real words.
    expect(englishShare(first.join(' '))).toBeGreaterThan(0.6);
  });

  it.skipIf(!hasWordModel)('word model: one reply per line typed, seeded, built of the frequent words', () => {
    const first = replies(wordModel, 7);
    expect(first).toHaveLength(3);
    for (const reply of first) expect(reply.split(' ').length).toBeGreaterThan(2);
    expect(replies(wordModel, 7)).toEqual(first);
    // A word model only writes Brown words, so count the most frequent ones instead: a trained model at
    // temperature 0.5 writes them all the time; random weights sample the vocabulary evenly and almost never do.
    const words = first.join(' ').toLowerCase().split(/\s+/);
    const common = new Set(['the', 'of', 'and', 'to', 'a', 'in', 'that', 'is', 'was', 'he', 'it', 'for']);
    expect(words.filter((word) => common.has(word)).length / words.length).toBeGreaterThan(0.1);
  });
});
