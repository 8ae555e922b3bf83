// Next-word suggestions from the shipped model.
//
//   node examples/next-word/next-word.mjs "The jury said " "It was a "
//   node examples/next-word/next-word.mjs --model models/brown-char.q8.msgpack --count 3 "The Grand Ju"
//
// Each text gets its most likely next words (or, when it ends inside a word,
// completions of that word) with their probabilities. --json prints one JSON
// object per text instead: { text, suggestions: [{ word, probability }] }.
import { parseArgs } from 'node:util';
import { loadModel } from 'lstm-stream';
import { chooseModelPath } from '../shared/model-path.mjs';
import { suggestWords } from '../shared/suggest-words.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { model: { type: 'string' }, count: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
});
// A text ending in a space asks for the next word; one ending inside a word asks for its completions.
const texts = positionals.length > 0 ? positionals : ['The jury said ', 'It was a ', 'He looked at the ', 'The Grand Ju'];
const model = await loadModel(chooseModelPath(values.model));
for (const text of texts) {
  const suggestions = suggestWords(model, text, Number(values.count));
  if (values.json) {
    console.log(JSON.stringify({ text, suggestions }));
  } else {
    console.log(`${text} → ${suggestions.map((s) => `${s.word} (${(s.probability * 100).toFixed(1)}%)`).join(', ')}`);
  }
}
