// LearningTextTracker: live suggestions on a working copy, and a learner
// taught each finished word once (issue 14, the live mode). The learner's
// profile is compared with that of a fresh session that read the final text
// once, in order: the cache's tokens, states (bit for bit: the learner joins
// the text from the tracker's kept states, computed by the same kernels),
// new words and counts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdaptiveSession, ErrorCode, LearningTextTracker, profileOf, TextError, tokenizerOf, type Model } from '../../src/index.ts';
import { runtimeName } from '../helpers/runtime.ts';
import { smallWordModel } from './text-tracker-reference.ts';

const RUNS = runtimeName() === 'node' ? 300 : 60;

/** A learner and its working copy (the same options; no dynamic evaluation: the copy steps the same weights). */
function learning(model: Model): { learner: AdaptiveSession; editor: AdaptiveSession; tracker: LearningTextTracker } {
  const learner = new AdaptiveSession(model);
  const editor = new AdaptiveSession(model);
  return { learner, editor, tracker: new LearningTextTracker(editor, learner) };
}

/** A fresh session that read each text once: `<p>`, then its tokens as typed. */
function readOnce(model: Model, texts: readonly string[]): AdaptiveSession {
  const session = new AdaptiveSession(model);
  const tokenizer = tokenizerOf(model)!;
  for (const text of texts) {
    session.reset();
    session.step(tokenizer.vocabulary.idOf('<p>'));
    for (const piece of tokenizer.split(text)) session.step(tokenizer.vocabulary.idOf(piece), piece);
  }
  return session;
}

/** What a session learned, comparable with toEqual (the cache's states as numbers, bit for bit). */
function learned(session: AdaptiveSession): unknown {
  const { cache, newWords, tokensRead } = profileOf(session);
  return { tokens: Array.from(cache!.tokens), words: Array.from(cache!.newWordIndices), states: Array.from(cache!.states), newWords, tokensRead };
}

/** Hands the tracker every text from typing `text` one character at a time. */
function type(tracker: LearningTextTracker, from: string, text: string): string {
  let current = from;
  for (const character of text) {
    current += character;
    tracker.update(current);
  }
  return current;
}

/** Backspaces `count` characters, one update each. */
function backspace(tracker: LearningTextTracker, from: string, count: number): string {
  let current = from;
  for (let i = 0; i < count; i++) {
    current = current.slice(0, -1);
    tracker.update(current);
  }
  return current;
}

describe('LearningTextTracker', () => {
  const model = smallWordModel();

  it('teaches a sentence once its end is passed, a text when it is finished; typos fixed before then are never learned', () => {
    const { learner, editor, tracker } = learning(model);
    let text = type(tracker, '', 'the cat and the zebrx ');
    text = backspace(tracker, text, 2);
    text = type(tracker, text, 'a is on the dog');
    // Nothing finished a sentence yet: the learner has read nothing, the working copy everything (the typo too).
    expect(tracker.taughtBoundary).toBe(0);
    expect(learner.tokensRead).toBe(0);
    expect(editor.newWords!.size).toBe(2);
    text = type(tracker, text, ' . then');
    expect(tracker.taughtBoundary).toBe(10);
    expect(learned(learner)).toEqual(learned(readOnce(model, ['the cat and the zebra is on the dog .'])));
    text = type(tracker, text, ' it is a zeebra');
    text = backspace(tracker, text, 5);
    text = type(tracker, text, 'ebra , once');
    expect(tracker.finishText()).toBe(6); // then it is a zebra , (the word being typed is not finished)
    expect(learned(learner)).toEqual(learned(readOnce(model, ['the cat and the zebra is on the dog . then it is a zebra ,'])));
    expect(learner.newWords!.textOf(0)).toBe('zebra');
    expect(learner.newWords!.countOf(0)).toBe(2);
    expect(tracker.tokensTaught).toBe(16);
  });

  it('a new text after finishText is taught from its start, even where it begins like the last one', () => {
    const { learner, tracker } = learning(model);
    tracker.update('the cat ');
    tracker.finishText();
    tracker.update('the cat . ');
    tracker.finishText();
    expect(learned(learner)).toEqual(learned(readOnce(model, ['the cat', 'the cat .'])));
  });

  it('an edit inside taught text is not taught again; what follows it is, in the context of the edited text', () => {
    const { learner, tracker } = learning(model);
    let text = type(tracker, '', 'the cat is on it . the dog is on it . ');
    expect(tracker.taughtBoundary).toBe(12);
    const before = learned(learner);
    // The writer goes back and changes "cat" to "dog" (select and type), then writes on.
    text = text.replace('cat', 'dog');
    tracker.update(text);
    expect(tracker.taughtBoundary).toBe(12);
    expect(learned(learner)).toEqual(before);
    text = type(tracker, text, 'a cat . ');
    expect(tracker.taughtBoundary).toBe(15);
    // The last three entries: a cat . with the states of the edited text (as a fresh session that read it has them).
    const fresh = profileOf(readOnce(model, ['the dog is on it . the dog is on it . a cat .'])).cache!;
    const taught = profileOf(learner).cache!;
    expect(taught.tokens.length).toBe(15);
    expect(Array.from(taught.tokens).slice(12)).toEqual(Array.from(fresh.tokens).slice(12));
    const H = taught.states.length / taught.tokens.length;
    expect(Array.from(taught.states.subarray(12 * H))).toEqual(Array.from(fresh.states.subarray(12 * H)));
    // A sentence inserted in the middle of taught text is an edit of it: not taught.
    tracker.update(text.replace('the dog is on it . a', 'the dog is on it . the ant . a'));
    expect(tracker.taughtBoundary).toBe(18);
    expect(learner.tokensRead).toBe(1 + 15);
  });

  it('taught text deleted from the end moves the boundary back, so what is written instead is taught', () => {
    const { learner, tracker } = learning(model);
    let text = type(tracker, '', 'the cat is on it . the dog is on it . ');
    text = backspace(tracker, text, 'the dog is on it . '.length);
    expect(tracker.taughtBoundary).toBe(6);
    text = type(tracker, text, 'a dog . ');
    expect(tracker.taughtBoundary).toBe(9);
    const cache = profileOf(learner).cache!;
    const ids = (words: string) => words.split(' ').map((w) => model.vocabulary!.indexOf(w));
    // Taught in order: the first sentence, the deleted one (learning is not undone), the one written instead.
    expect(Array.from(cache.tokens)).toEqual(ids('the cat is on it . the dog is on it . a dog .'));
    expect(learner.tokensRead).toBe(1 + 15);
  });

  it('teachFinished teaches the finished words of an unfinished sentence (before the page is hidden); typing on teaches only the rest', () => {
    const { learner, tracker } = learning(model);
    const text = type(tracker, '', 'the cat is on');
    expect(tracker.teachFinished()).toBe(3);
    type(tracker, text, ' it . ');
    expect(learned(learner)).toEqual(learned(readOnce(model, ['the cat is on it .'])));
  });

  it('suggests from the working copy: a new word typed in the sentence being written is offered before the learner is taught it', () => {
    const { learner, tracker } = learning(model);
    const suggestions = tracker.suggestFor('the zebra and the zebra and the ', 40);
    expect(learner.newWords!.size).toBe(0);
    expect(suggestions.map((s) => s.text)).toContain('zebra');
    expect(suggestions.map((s) => s.token)).not.toContain('<unk>');
  });

  it('forget forgets both sessions and the text', () => {
    const { learner, editor, tracker } = learning(model);
    type(tracker, '', 'the zebra . ');
    tracker.forget();
    expect(learner.tokensRead).toBe(0);
    expect(learner.newWords!.size).toBe(0);
    expect(editor.newWords!.size).toBe(0);
    expect(tracker.taughtBoundary).toBe(0);
  });

  it('refuses one session as both editor and learner, and a learner of another model', () => {
    const session = new AdaptiveSession(model);
    const refused = (make: () => unknown): string => {
      try {
        make();
      } catch (error) {
        expect(error).toBeInstanceOf(TextError);
        return (error as TextError).code;
      }
      return 'no error';
    };
    expect(refused(() => new LearningTextTracker(session, session))).toBe(ErrorCode.TRACKER_OPTION_INVALID);
    expect(refused(() => new LearningTextTracker(session, new AdaptiveSession(smallWordModel(8))))).toBe(ErrorCode.TRACKER_OPTION_INVALID);
  });

  // Property: whatever the edits (anywhere, pasted, cleared), the taught boundary stays inside the
  // text, and after each teaching the learner stands exactly where the text it was taught ends.
  it('random edits anywhere: the taught boundary stays in the text; a taught learner is at the state of the text there', () => {
    const fragment = fc.constantFrom('the', 'cat', 'dog', 'a', 'it', 'zebra', ',', '.', '. ', ' ', ' ', 'x');
    const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), cut: fc.nat(6), text: fc.array(fragment, { maxLength: 4 }).map((parts) => parts.join('')) });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 40 }), (edits) => {
        const { learner, tracker } = learning(model);
        let text = '';
        for (const { at, cut, text: inserted } of edits) {
          const place = Math.round(at * text.length);
          text = text.slice(0, place) + inserted + text.slice(place + cut);
          const before = tracker.tokensTaught;
          tracker.update(text);
          expect(tracker.taughtBoundary).toBeLessThanOrEqual(tracker.tracker.tokenCount);
          if (tracker.tokensTaught > before) expect(Array.from(learner.snapshot())).toEqual(Array.from(tracker.tracker.stateAt(tracker.taughtBoundary)!));
        }
      }),
      { numRuns: RUNS, seed: 15 },
    );
  }, 60_000);

  // Property: typing with typos fixed inside the sentence being written, Enter between texts,
  // teaches exactly what a fresh session reads from the final texts.
  it('random typing with typos fixed before each sentence ends: the learner equals one reading of the final texts', () => {
    const word = fc.constantFrom('the', 'then', 'cat', 'cats', 'a', 'and', 'dog', 'it', "it's", 'on', 'zebra', 'quagga', ',', '.');
    const typed = fc.record({ word, typo: fc.option(fc.constantFrom('x', 'th', 'zz', ' q', ' '), { nil: undefined }) });
    const texts = fc.array(fc.array(typed, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(texts, (plan) => {
        const { learner, tracker } = learning(model);
        const finals: string[] = [];
        for (const words of plan) {
          let text = '';
          for (const { word: w, typo } of words) {
            if (typo !== undefined) text = backspace(tracker, type(tracker, text, typo), typo.length);
            text = type(tracker, text, `${w} `);
          }
          tracker.finishText();
          finals.push(text);
        }
        expect(learned(learner)).toEqual(learned(readOnce(model, finals)));
      }),
      { numRuns: RUNS, seed: 14 },
    );
    // Thousands of keystrokes with a learner behind them: seconds on a loaded machine (Bun’s default limit is 5 s).
  }, 60_000);
});
