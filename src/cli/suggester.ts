import { softmaxInto } from '../math/softmax.ts';
import type { Model } from '../model/model.ts';
import type { Session } from '../model/session.ts';
import { tokenizerOf } from '../text/create-tokenizer.ts';
import type { Tokenizer } from '../text/tokenizer.ts';
import { TextError } from '../text/errors.ts';
import { ErrorCode } from '../errors.ts';
import type { AdaptiveSession } from '../adapt/adaptive-session.ts';

/** One suggested next word and its probability. */
export interface Suggestion {
  /** The vocabulary's token, e.g. Brown's `` for an opening quote. */
  readonly token: string;
  /** The token as a person writes it (the tokenizer's decoding: `` and '' become "). */
  readonly text: string;
  readonly probability: number;
}

/** A suggestion as the CLI shows it: `was (22.0%)`. */
export function formatSuggestion(suggestion: Suggestion): string {
  return `${suggestion.text} (${(suggestion.probability * 100).toFixed(1)}%)`;
}

/**
 * Next-word suggestions for text as a person types it. Words already finished
 * (followed by a space) are stepped once and kept in the session; the word
 * being typed filters the suggestions by prefix. Editing earlier text replays
 * from the start. With an AdaptiveSession the suggestions are its mixture
 * (cache, dynamic evaluation) and include the new words it learned; it learns
 * from every finished word (a replay after an edit reads those words again).
 * Cost per call: one step per newly finished word, plus a softmax and a scan
 * over the vocabulary.
 */
export class Suggester {
  private readonly session: Session | AdaptiveSession;
  private readonly adaptive: AdaptiveSession | null;
  private readonly tokenizer: Tokenizer;
  private readonly vocabulary: readonly string[];
  private readonly probabilities: Float32Array; // [V]
  private readonly startToken: number | null;
  private stepped: number[] = [];

  constructor(model: Model, adaptive: AdaptiveSession | null = null) {
    const tokenizer = tokenizerOf(model);
    if (tokenizer === null || model.vocabulary === null || model.architecture.head !== 'softmax') {
      throw new TextError(ErrorCode.NOT_A_LANGUAGE_MODEL, 'suggestions need a language model with a vocabulary and tokenizer settings');
    }
    this.adaptive = adaptive;
    this.session = adaptive ?? model.session();
    this.tokenizer = tokenizer;
    this.vocabulary = model.vocabulary;
    this.probabilities = new Float32Array(model.architecture.outputSize);
    // A paragraph mark before the text, when the vocabulary has one, puts the
    // model where a new text begins.
    this.startToken = tokenizer.vocabulary.has('<p>') ? tokenizer.vocabulary.idOf('<p>') : null;
    this.reset();
  }

  /** The k most likely next words after `text` (filtered by the unfinished last word, if any). */
  suggest(text: string, k: number): Suggestion[] {
    const finished = /\s$/.test(text) || text === '';
    const words = this.tokenizer.split(text);
    const partial = finished ? '' : (words.pop() ?? '');
    const ids = words.map((word) => this.tokenizer.vocabulary.idOf(word));
    this.advanceTo(ids, words);
    const results: Suggestion[] = [];
    const probabilities = this.probabilities;
    // Repeated selection: k is small, and a prefix filter rules out most words.
    const taken = new Set<number>();
    for (let n = 0; n < k; n++) {
      let best = -1;
      for (let id = 0; id < probabilities.length; id++) {
        if (taken.has(id) || (best >= 0 && probabilities[id] <= probabilities[best])) continue;
        const token = this.vocabulary[id];
        if (token === '<unk>' || token === '<p>' || !token.startsWith(partial)) continue;
        best = id;
      }
      if (best < 0) break;
      taken.add(best);
      results.push({ token: this.vocabulary[best], text: this.tokenizer.decode([best]), probability: probabilities[best] });
    }
    if (this.adaptive === null || this.stepped.length === 0) return results;
    for (const word of this.adaptive.newWordPredictions()) {
      if (word.token !== null && word.token.startsWith(partial)) results.push({ token: word.token, text: word.token, probability: word.probability });
    }
    return results.sort((a, b) => b.probability - a.probability).slice(0, k);
  }

  private reset(): void {
    this.session.reset();
    this.stepped = [];
    if (this.startToken !== null) softmaxInto(this.probabilities, this.session.step(this.startToken));
    else this.probabilities.fill(1 / this.probabilities.length);
  }

  private advanceTo(ids: readonly number[], words: readonly string[]): void {
    const common = this.stepped.length <= ids.length && this.stepped.every((id, i) => id === ids[i]);
    if (!common) this.reset();
    for (let i = this.stepped.length; i < ids.length; i++) {
      const output = this.adaptive === null ? this.session.step(ids[i]) : this.adaptive.step(ids[i], words[i]);
      softmaxInto(this.probabilities, output);
      this.stepped.push(ids[i]);
    }
  }
}
