// Text generation as the first step towards a chatbot: a small REPL that
// continues what you type. One session carries the whole conversation, so
// each reply follows from everything said so far, not only the last line.
//
//   node examples/generate-repl/generate-repl.mjs [--model PATH] [--seed N] [--temperature X] [--max-tokens N]
//   echo "The jury said" | node examples/generate-repl/generate-repl.mjs --seed 7
//
// Each line read is fed to the model token by token; then tokens are sampled
// (temperature and top-k, seeded) and fed back until a sentence ends or
// --max-tokens is reached. The reply is printed after "… ". Ctrl-D ends.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Sampler, loadModel, tokenizerOf } from 'lstm-stream';
import { chooseModelPath } from '../shared/model-path.mjs';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    seed: { type: 'string', default: '1' },
    temperature: { type: 'string', default: '0.7' },
    'top-k': { type: 'string', default: '20' },
    'max-tokens': { type: 'string' },
  },
});
const model = await loadModel(chooseModelPath(values.model));
const tokenizer = tokenizerOf(model);
if (tokenizer === null) throw new Error('this model has no tokenizer and vocabulary, so it cannot read text');
const characters = tokenizer.kind === 'char';
// A reply of about one sentence: 200 characters or 40 words.
const maxTokens = Number(values['max-tokens'] ?? (characters ? 200 : 40));
const sampler = new Sampler(model.vocabulary.length, { temperature: Number(values.temperature), topK: Number(values['top-k']), seed: Number(values.seed) });
const sentenceEnd = new Set(['.', '?', '!']);
// Corpus markup (<unk>, <p>) is never written: its logits are pushed far down before each draw.
const markup = model.vocabulary.flatMap((token, id) => (/^<.*>$/.test(token) ? [id] : []));
const session = model.session();
let logits = null;

/** Feeds `text` into the conversation's session (word models: with a space before it, as the corpus separates words). */
function read(text) {
  for (const id of tokenizer.encode(characters ? `${text} ` : text)) logits = session.step(id);
}

/** Samples a reply, feeding every token back in, and returns its text. */
function reply() {
  const ids = [];
  for (let n = 0; n < maxTokens && logits !== null; n++) {
    for (const id of markup) logits[id] = -1e9; // the step's own buffer, rewritten by the next step
    const id = sampler.sample(logits);
    ids.push(id);
    logits = session.step(id);
    if (sentenceEnd.has(model.vocabulary[id])) break;
  }
  if (characters) {
    read('');
    return tokenizer.decode(ids).trim();
  }
  return tokenizer.decode(ids);
}

const terminal = process.stdin.isTTY === true;
const lines = createInterface({ input: process.stdin, output: terminal ? process.stdout : undefined, prompt: '> ' });
if (terminal) {
  console.log(`Type the start of a sentence; the model (${model.architecture.cell}, ${tokenizer.kind} tokens) continues it. Ctrl-D ends.`);
  lines.prompt();
}
for await (const line of lines) {
  const text = line.trim();
  if (text !== '') {
    read(text);
    console.log(`… ${reply()}`);
  }
  if (terminal) lines.prompt();
}
