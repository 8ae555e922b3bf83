// The browser page's script: fetches the model, then suggests next words on
// every keystroke. Bundled with the library by serve.mjs (esbuild).
// The model URL is ?model=URL, by default the shipped word model; while that
// model is not shipped, the page falls back to the character model and says so.
import { loadModel } from 'lstm-stream';
import { PARTIAL_WORD, suggestWords } from '../shared/suggest-words.mjs';

const WORD_MODEL = './models/brown-lstm.q8.msgpack';
const CHAR_MODEL = './models/brown-char.q8.msgpack';

const textBox = document.getElementById('text');
const list = document.getElementById('suggestions');
const status = document.getElementById('status');

async function fetchModel() {
  const requested = new URLSearchParams(location.search).get('model');
  const started = performance.now();
  let url = requested ?? WORD_MODEL;
  let response = await fetch(url);
  let note = '';
  if (!response.ok && requested === null) {
    note = ` (the word model ${WORD_MODEL} is not there: ${response.status})`;
    url = CHAR_MODEL;
    response = await fetch(url);
  }
  if (!response.ok) throw new Error(`fetching ${url} failed: ${response.status} ${response.statusText}`);
  const bytes = Number(response.headers.get('content-length') ?? 0);
  const model = await loadModel(response);
  const a = model.architecture;
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const size = bytes > 0 ? `, ${(bytes / 1024).toFixed(0)} KB` : '';
  return { model, description: `${url}: ${a.cell}, hidden ${a.hiddenSize}, ${a.vocabSize} ${model.tokenizer?.kind ?? ''} tokens${size}, loaded in ${seconds} s${note}` };
}

function show(suggestions) {
  list.replaceChildren(
    ...suggestions.map(({ word, probability }) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'suggestion';
      button.dataset.word = word;
      button.append(word);
      const share = document.createElement('small');
      share.textContent = `${(probability * 100).toFixed(1)}%`;
      button.append(share);
      button.addEventListener('click', () => take(word));
      item.append(button);
      return item;
    }),
  );
}

/** Puts `word` in place of the word being typed (or after the text) and asks again. */
function take(word) {
  const text = textBox.value;
  const partial = PARTIAL_WORD.exec(text)?.[0] ?? '';
  textBox.value = `${text.slice(0, text.length - partial.length)}${word} `;
  textBox.focus();
  update();
}

let model = null;
let description = '';
function update() {
  if (model === null) return;
  const started = performance.now();
  const suggestions = textBox.value.trim() === '' ? [] : suggestWords(model, textBox.value, 5);
  show(suggestions);
  status.textContent = `${description}; suggestions in ${(performance.now() - started).toFixed(1)} ms`;
}

textBox.addEventListener('input', update);
textBox.addEventListener('keydown', (event) => {
  const first = list.querySelector('button.suggestion');
  if (event.key === 'Tab' && first !== null) {
    event.preventDefault();
    take(first.dataset.word);
  }
});

try {
  ({ model, description } = await fetchModel());
  textBox.disabled = false;
  textBox.focus();
  status.textContent = description;
  document.body.dataset.ready = 'true';
  update();
} catch (error) {
  status.textContent = `could not load the model: ${error.message}`;
  document.body.dataset.ready = 'error';
}
