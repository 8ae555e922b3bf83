// The incremental text tracker (issue 17, item 1; Must show 2): its
// suggestions equal a fresh session's over random edit sequences, and the
// steps it takes per keystroke do not grow with the text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AdaptiveSession,
  createRandomModel,
  ErrorCode,
  loadModel,
  TextError,
  TextTracker,
  tokenizerOf,
  type Model,
  type TextTracker as Tracker,
} from '../../src/index.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { referenceSuggestions, smallCharModel, smallWordModel } from './text-tracker-reference.ts';

// Deno and Bun run the same properties with fewer cases (they are slower at it, and Node carries the count).
const RUNS = runtimeName() === 'node' ? 10_000 : 1_000;

type Edit =
  | { kind: 'type'; text: string }
  | { kind: 'backspace'; count: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'paste'; at: number; text: string }
  | { kind: 'replace'; at: number; length: number; text: string }
  | { kind: 'clear' };

/** Applies an edit; `at` is a fraction of the text's length, so every edit lands inside the text. */
function applyEdit(text: string, edit: Edit): string {
  const place = (at: number): number => Math.round(at * text.length);
  switch (edit.kind) {
    case 'type':
      return text + edit.text;
    case 'backspace':
      return text.slice(0, Math.max(0, text.length - edit.count));
    case 'insert':
    case 'paste':
      return text.slice(0, place(edit.at)) + edit.text + text.slice(place(edit.at));
    case 'delete':
      return text.slice(0, place(edit.at)) + text.slice(place(edit.at) + edit.length);
    case 'replace':
      return text.slice(0, place(edit.at)) + edit.text + text.slice(place(edit.at) + edit.length);
    case 'clear':
      return '';
  }
}

// Words of the small model, parts of them, words it does not know, punctuation and spaces.
const WORD_FRAGMENTS = ['the', 'then', 'th', 'they', 'a', 'an', 'and', 'ant', 'cat', 'cats', 'c', 'dog', 'do', "don't", 'Mr.', 'Mr', 'is', 'it', "it's", 'I', 'to', 'two', 'on', 'once', 'zebra', 'x', ',', '.', '"', "'", ' ', ' ', ' ', '  ', '\n'];
const CHAR_FRAGMENTS = ['a', 'b', 'c', 'd', 'e', ' ', '.', ',', 'z', 'ab', 'cab'];

function editsOf(fragments: readonly string[]): fc.Arbitrary<Edit[]> {
  const fragment = fc.constantFrom(...fragments);
  const piece = fc.array(fragment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(''));
  const pasted = fc.array(fragment, { minLength: 4, maxLength: 24 }).map((parts) => parts.join(''));
  // Uniform over the text (fast-check's numbers favour values near 0, which would pile edits at the start).
  const at = fc.noBias(fc.integer({ min: 0, max: 1000 })).map((n) => n / 1000);
  const length = fc.integer({ min: 0, max: 12 });
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    { weight: 6, arbitrary: piece.map((text) => ({ kind: 'type' as const, text })) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 4 }).map((count) => ({ kind: 'backspace' as const, count })) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at, text: piece }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at, length }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('paste' as const), at, text: pasted }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('replace' as const), at, length, text: piece }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  );
  return fc.array(edit, { minLength: 1, maxLength: 10 });
}

/** The finished tokens of a text as the tracker reads them (a word tokenizer leaves the word being typed out). */
function finishedIds(model: Model, text: string): number[] {
  const tokenizer = tokenizerOf(model)!;
  const pieces = tokenizer.split(text);
  if (tokenizer.kind === 'word' && pieces.length > 0 && !/\s$/.test(text)) pieces.pop();
  return pieces.map((piece) => tokenizer.vocabulary.idOf(piece));
}

function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Runs edit sequences on a tracker and compares every answer with a fresh
 * session's. With every boundary kept, it also checks the cost: at most one
 * step more than the tokens that changed.
 */
function checkEditSequences(model: Model, fragments: readonly string[], runs: number, seed: number): void {
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...fragments), { maxLength: 12 }).map((parts) => parts.join('')),
      editsOf(fragments),
      fc.constantFrom(1, 2, 3, 8, 512),
      fc.constantFrom(1, 3, 5, 40),
      (start, edits, maxBoundaries, k) => {
        const tracker = new TextTracker(model.session(), { maxBoundaries });
        let text = start;
        let previous: number[] = [];
        let first = true;
        for (const edit of [null, ...edits]) {
          if (edit !== null) text = applyEdit(text, edit);
          const steps = tracker.update(text);
          expect(tracker.suggest(k)).toEqual(referenceSuggestions(model, text, k));
          const ids = finishedIds(model, text);
          if (!first && maxBoundaries === 512) {
            const changed = ids.length - commonPrefixLength(previous, ids);
            expect(steps).toBeLessThanOrEqual(changed + 1);
            if (changed === 0 && ids.length === previous.length) expect(steps).toBe(0);
          }
          expect(tracker.tokenCount).toBe(ids.length);
          expect(tracker.keptBoundaries).toBeLessThanOrEqual(maxBoundaries);
          previous = ids;
          first = false;
        }
      },
    ),
    { seed, numRuns: runs },
  );
}

describe('TextTracker', () => {
  const model = smallWordModel();

  it(`gives a fresh session's suggestions over ${RUNS.toLocaleString('en-US')} random edit sequences (word model)`, () => {
    checkEditSequences(model, WORD_FRAGMENTS, RUNS, 1717);
  });

  it(`gives a fresh session's suggestions over ${(RUNS / 10).toLocaleString('en-US')} random edit sequences (character model, no <p>)`, () => {
    checkEditSequences(smallCharModel(), CHAR_FRAGMENTS, RUNS / 10, 1718);
  });

  it('completes the word being typed from the vocabulary, never offering <unk> or <p>', () => {
    const tracker = new TextTracker(model.session());
    expect(tracker.suggestFor('the ca', 10).map((s) => s.token).sort()).toEqual(['cat', 'cats']);
    expect(tracker.prefix).toBe('ca');
    expect(tracker.suggestFor('the do', 10).map((s) => s.token).sort()).toEqual(['do', 'does', 'dog', "don't"]);
    expect(tracker.suggestFor('the zz', 10)).toEqual([]);
    const all = tracker.suggestFor('the ', 100).map((s) => s.token);
    expect(all).toHaveLength(model.vocabulary!.length - 2);
    expect(all).not.toContain('<unk>');
    expect(all).not.toContain('<p>');
    // The text a person writes: Brown's `` is shown as a double quote.
    expect(tracker.suggestFor('the ``', 1)[0]).toMatchObject({ token: '``', text: '"' });
  });

  it('steps each finished word once while a text is typed letter by letter', () => {
    const tracker = new TextTracker(model.session());
    const sentence = 'the cat and the dog do not like it , I think .';
    for (let i = 0; i <= sentence.length; i++) tracker.update(sentence.slice(0, i));
    const words = sentence.split(' ');
    // The start token, then every word but the last (which is still being typed).
    expect(tracker.stepsTaken).toBe(1 + words.length - 1);
  });

  it('costs the same steps per keystroke at the end of a 2,000-character text as of a 20-character one', () => {
    const stepsPerKeystroke = (length: number): number => {
      const words = ['the', 'cat', 'and', 'dog', 'is', 'on', 'two', 'ants', ',', 'it', '.'];
      let text = '';
      for (let i = 0; text.length < length; i++) text += `${words[(i * 7) % words.length]} `;
      const tracker = new TextTracker(model.session());
      tracker.update(text);
      const before = tracker.stepsTaken;
      // Words, spaces, and backspaces that take back a word and its space: 20 keystrokes.
      let typed = text;
      for (const key of 'then a dog\b\b\b\b cats ') {
        typed = key === '\b' ? typed.slice(0, -1) : typed + key;
        tracker.update(typed);
        expect(tracker.suggest(5).length).toBeGreaterThan(0);
      }
      return (tracker.stepsTaken - before) / 20;
    };
    const short = stepsPerKeystroke(20);
    const long = stepsPerKeystroke(2_000);
    expect(long).toBe(short);
    expect(long).toBe(5 / 20); // three finished words, one taken back, one re-finished
  });

  it('replays from the start only when an edit lands before the oldest kept boundary', () => {
    const words = Array.from({ length: 40 }, (_, i) => ['the', 'cat', 'dog', 'ant'][i % 4]);
    const textOf = (list: readonly string[]): string => `${list.join(' ')} `;
    const tracker = new TextTracker(model.session(), { maxBoundaries: 10 });
    expect(tracker.update(textOf(words))).toBe(41); // <p> and 40 words
    expect(tracker.keptBoundaries).toBe(10); // the states after 31 … 40 words
    // The 35th word changes: the state after 34 words is kept, so 6 steps.
    const late = words.slice();
    late[34] = 'cat';
    expect(tracker.update(textOf(late))).toBe(6);
    // The 2nd word changes, long before the oldest kept boundary: all 40 again (the start state is kept apart).
    const early = late.slice();
    early[1] = 'dog';
    expect(tracker.update(textOf(early))).toBe(40);
    expect(tracker.suggest(5)).toEqual(referenceSuggestions(model, textOf(early), 5));
  });

  it('answers the same text twice without stepping, and starts over after reset', () => {
    const tracker = new TextTracker(model.session());
    expect(tracker.update('the cat ')).toBe(3);
    expect(tracker.update('the cat ')).toBe(0);
    expect(tracker.update('the cat')).toBe(1); // only "the" is finished now: back to the start, step it
    tracker.reset();
    expect(tracker.tokenCount).toBe(0);
    expect(tracker.update('the cat ')).toBe(2); // the start state was kept apart: restored, not stepped
    expect(tracker.suggest(3)).toEqual(referenceSuggestions(model, 'the cat ', 3));
  });

  it('runs over an AdaptiveSession: without its cache and new words, the same answers as a plain session', () => {
    const plain = new TextTracker(new AdaptiveSession(model, { cache: false, newWords: false }));
    for (const text of ['', 'the c', 'the cat is on the ', 'the dog is on the', 'a zebra and a ']) {
      expect(plain.suggestFor(text, 5)).toEqual(referenceSuggestions(model, text, 5));
    }
    // With its recency cache the answers are its own (it learns the text), but they stay well formed.
    const adaptive = new TextTracker(new AdaptiveSession(model));
    for (const text of ['the cat ', 'the cat is on the ', 'the cat is on the c', 'the']) {
      const suggestions = adaptive.suggestFor(text, 5);
      expect(suggestions.length).toBeGreaterThan(0);
      const total = suggestions.reduce((sum, s) => sum + s.probability, 0);
      expect(total).toBeLessThanOrEqual(1 + 1e-6);
    }
  });

  it('gives the shipped Brown model a fresh session\'s answers', async () => {
    const brown = await loadModel('models/brown-lstm.q8.msgpack');
    const tracker = new TextTracker(brown.session());
    for (const text of ['The jury said', 'The jury said ', 'The jury said it was "', 'The grand jury said it was', 'The jury']) {
      expect(tracker.suggestFor(text, 5)).toEqual(referenceSuggestions(brown, text, 5));
    }
  });

  it('refuses bad input with typed errors', () => {
    const tracker = new TextTracker(model.session());
    const codeOf = (work: () => unknown): string | undefined => {
      try {
        work();
      } catch (error) {
        expect(error).toBeInstanceOf(TextError);
        return (error as TextError).code;
      }
      return undefined;
    };
    expect(codeOf(() => tracker.update(42 as unknown as string))).toBe(ErrorCode.TEXT_INVALID);
    expect(codeOf(() => tracker.suggest(0))).toBe(ErrorCode.SAMPLING_OPTION_INVALID);
    expect(codeOf(() => tracker.suggest(1.5))).toBe(ErrorCode.SAMPLING_OPTION_INVALID);
    expect(codeOf(() => new TextTracker(model.session(), { maxBoundaries: 0 }))).toBe(ErrorCode.TRACKER_OPTION_INVALID);
    expect(codeOf(() => new TextTracker(model.session(), { startToken: '<s>' }))).toBe(ErrorCode.TRACKER_OPTION_INVALID);
    const dense = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'linear', outputSize: 2 });
    expect(codeOf(() => new TextTracker(dense.session()))).toBe(ErrorCode.NOT_A_LANGUAGE_MODEL);
    // A failed update changes nothing: the next one answers as a fresh session would.
    expect(tracker.suggestFor('the cat ', 3)).toEqual(referenceSuggestions(model, 'the cat ', 3));
  });

  it('without a start token ranks the empty text by id, every token equally likely', () => {
    const tracker: Tracker = new TextTracker(model.session(), { startToken: null });
    const suggestions = tracker.suggestFor('', 3);
    expect(suggestions.map((s) => s.id)).toEqual([2, 3, 4]);
    for (const s of suggestions) expect(s.probability).toBeCloseTo(1 / model.vocabulary!.length, 10);
    expect(tracker.suggestFor('t', 2).map((s) => s.token)).toEqual(['the', 'then']);
  });
});
