// Next-word suggestions from a language model, for word and character models
// alike. Used by the next-word example (examples/next-word.mjs) and the
// browser page (examples/browser/), so both suggest the same words.
import { logSumExp, tokenizerOf } from 'lstm-stream';

/** A word being typed: letters, digits, apostrophes and hyphens at the end of the text. */
export const PARTIAL_WORD = /[\p{L}\p{N}'-]+$/u;
const WORD_CHARACTER = /^[\p{L}\p{N}'-]$/u;
// Tokens that are markup of the corpus, never a word to suggest.
const SPECIAL = /^<.*>$/;

/**
 * Up to `count` suggestions `{ word, probability }` for the word being typed
 * at the end of `text` (or the next word after a space), most likely first.
 * A word model ranks its vocabulary; a character model completes the word
 * character by character (the `count` most likely first letters, each
 * extended greedily to the end of the word). Cost: one session and one step
 * per token of the text, then one head pass (word) or about `count` × 12
 * steps (character); fine per keystroke for texts of a few hundred tokens.
 */
export function suggestWords(model, text, count = 5) {
  const tokenizer = tokenizerOf(model);
  if (tokenizer === null) throw new Error('this model has no tokenizer and vocabulary, so it cannot suggest words');
  const partial = PARTIAL_WORD.exec(text)?.[0] ?? '';
  const session = model.session();
  if (tokenizer.kind === 'char') {
    // After punctuation ("said,") the next word starts after a space.
    const context = partial === '' && text.length > 0 && !/\s$/.test(text) ? `${text} ` : text;
    for (const id of tokenizer.encode(context)) session.step(id);
    return completeWithCharacters(session, partial, count);
  }
  const vocabulary = model.vocabulary;
  const start = vocabulary.indexOf('<p>');
  let logits = null;
  if (start >= 0) logits = session.step(start); // the word model was trained with a paragraph mark before each paragraph
  for (const id of tokenizer.encode(text.slice(0, text.length - partial.length))) logits = session.step(id);
  if (logits === null) return [];
  // The `count` best words that start with what is typed, in one pass over the logits (no sort of the vocabulary).
  const lowered = partial.toLowerCase();
  const best = [];
  for (let id = 0; id < vocabulary.length; id++) {
    const token = vocabulary[id];
    if (best.length === count && logits[id] <= best[count - 1].logit) continue;
    if (SPECIAL.test(token) || token === partial || !token.toLowerCase().startsWith(lowered)) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].logit < logits[id]) at--;
    best.splice(at, 0, { word: token, logit: logits[id] });
    if (best.length > count) best.pop();
  }
  const total = logSumExp(logits, vocabulary.length);
  return best.map(({ word, logit }) => ({ word, probability: Math.exp(logit - total) }));
}

/** The word being typed, completed: the likeliest first characters, each extended greedily. */
function completeWithCharacters(session, partial, count) {
  const found = new Map();
  for (const first of session.predictNext(count * 3)) {
    if (first.token === null || !WORD_CHARACTER.test(first.token)) continue;
    const branch = session.fork();
    let word = partial + first.token;
    let probability = first.probability;
    branch.step(first.id);
    for (let length = 0; length < 24; length++) {
      const [best] = branch.predictNext(1);
      if (!WORD_CHARACTER.test(best.token ?? ' ')) break;
      word += best.token;
      probability *= best.probability;
      branch.step(best.id);
    }
    if (!found.has(word)) found.set(word, probability);
    if (found.size === count) break;
  }
  return [...found].map(([word, probability]) => ({ word, probability })).sort((a, b) => b.probability - a.probability);
}
