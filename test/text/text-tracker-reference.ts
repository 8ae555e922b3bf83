// What the text tracker must answer, computed the slow and obvious way: a
// fresh session fed the whole text, and a scan over the whole vocabulary.
// The tracker tests and the server tests compare against it.
import { createRandomModel, logSumExp, tokenizerOf, type Model } from '../../src/index.ts';

/** A suggestion as the reference computes it (the tracker's TextSuggestion shape). */
export interface ReferenceSuggestion {
  token: string;
  id: number;
  text: string;
  probability: number;
}

/**
 * The k best next tokens after `text` from a fresh session: `<p>` first when
 * the vocabulary has it, then every finished token; a word tokenizer's
 * unfinished last word (text not ending in whitespace) filters by prefix.
 * Never `<unk>` or `<p>`; ties by lower id.
 */
export function referenceSuggestions(model: Model, text: string, k: number): ReferenceSuggestion[] {
  const tokenizer = tokenizerOf(model)!;
  const vocabulary = model.vocabulary!;
  const pieces = tokenizer.split(text);
  const prefix = tokenizer.kind === 'word' && pieces.length > 0 && !/\s$/.test(text) ? pieces.pop()! : '';
  const session = model.session();
  let logits: Float32Array | null = null;
  if (tokenizer.vocabulary.has('<p>')) logits = session.step(tokenizer.vocabulary.idOf('<p>'));
  for (const piece of pieces) logits = session.step(tokenizer.vocabulary.idOf(piece));
  const normalizer = logits === null ? 0 : logSumExp(logits);
  const candidates: number[] = [];
  vocabulary.forEach((token, id) => {
    if (token !== '<unk>' && token !== '<p>' && token.startsWith(prefix)) candidates.push(id);
  });
  candidates.sort((a, b) => (logits === null ? a - b : logits[b] - logits[a] || a - b));
  return candidates.slice(0, k).map((id) => ({
    token: vocabulary[id],
    id,
    text: tokenizer.decode([id]),
    probability: logits === null ? 1 / vocabulary.length : Math.exp(logits[id] - normalizer),
  }));
}

/** Words with shared prefixes (the prefix filter has ranges to find), punctuation, Brown's quotes. */
export const SMALL_WORDS = [
  '<unk>', '<p>', 'the', 'then', 'there', 'they', 'a', 'an', 'and', 'ant', 'cat', 'cats', 'dog', 'do', 'does',
  ',', '.', "don't", 'Mr.', 'is', 'it', 'its', "it's", 'I', '``', "''", 'to', 'too', 'two', 'on', 'one', 'once',
];

/**
 * A small random word model over SMALL_WORDS (two LSTM layers, so snapshots
 * have several rows): a step costs a few microseconds, which lets property
 * tests feed thousands of texts.
 */
export function smallWordModel(seed = 7): Model {
  const V = SMALL_WORDS.length;
  return createRandomModel(
    { cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: 6, hiddenSize: 8, numLayers: 2, head: 'softmax', outputSize: V },
    // A larger embedding scale than the default spreads the logits, so ties are rare and a wrong state shows.
    { seed, embeddingScale: 1, extras: { vocabulary: SMALL_WORDS, tokenizer: { kind: 'word', unknownToken: '<unk>' } } },
  );
}

/** A small random character model (an Elman cell, no `<p>`): every character is stepped. */
export function smallCharModel(seed = 11): Model {
  const chars = ['<unk>', ' ', 'a', 'b', 'c', 'd', 'e', '.', ','];
  const V = chars.length;
  return createRandomModel(
    { cell: 'rnn-tanh', input: 'embedding', vocabSize: V, inputSize: 4, hiddenSize: 6, numLayers: 1, head: 'softmax', outputSize: V },
    { seed, embeddingScale: 1, extras: { vocabulary: chars, tokenizer: { kind: 'char', unknownToken: '<unk>' } } },
  );
}
