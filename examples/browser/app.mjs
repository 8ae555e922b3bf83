// The browser page's script: fetches the model, then suggests next words on
// every keystroke. Bundled with the library by serve.mjs (esbuild).
// The model URL is ?model=URL, by default the shipped word model; while that
// model is not shipped, the page falls back to the character model and says so.
//
// With a word model the page learns its writer as they type (cache and new
// words: writer-adaptation.mjs) and keeps what it learned in this browser's
// IndexedDB (profile-store.mjs): saved after each finished sentence and when
// the page is hidden, loaded when it starts, deleted by "Forget what I typed".
import { loadModel } from 'lstm-stream';
import { PARTIAL_WORD, suggestWords } from '../shared/suggest-words.mjs';
import { openProfileStore } from './profile-store.mjs';
import { createWriterAdaptation } from './writer-adaptation.mjs';

const WORD_MODEL = './models/brown-lstm.q8.msgpack';
const CHAR_MODEL = './models/brown-char.q8.msgpack';

const textBox = document.getElementById('text');
const list = document.getElementById('suggestions');
const status = document.getElementById('status');
const learning = document.getElementById('learning');
const note = document.getElementById('note');
const forgetButton = document.getElementById('forget');

async function fetchModel() {
  const requested = new URLSearchParams(location.search).get('model');
  const started = performance.now();
  let url = requested ?? WORD_MODEL;
  let response = await fetch(url);
  let fallback = '';
  if (!response.ok && requested === null) {
    fallback = ` (the word model ${WORD_MODEL} is not there: ${response.status})`;
    url = CHAR_MODEL;
    response = await fetch(url);
  }
  if (!response.ok) throw new Error(`fetching ${url} failed: ${response.status} ${response.statusText}`);
  const bytes = Number(response.headers.get('content-length') ?? 0);
  const model = await loadModel(response);
  const a = model.architecture;
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  const size = bytes > 0 ? `, ${(bytes / 1024).toFixed(0)} KB` : '';
  return { model, url, description: `${url}: ${a.cell}, hidden ${a.hiddenSize}, ${a.vocabSize} ${model.tokenizer?.kind ?? ''} tokens${size}, loaded in ${seconds} s${fallback}` };
}

function show(suggestions) {
  list.replaceChildren(
    ...suggestions.map(({ word, probability, learned }) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = learned ? 'suggestion learned' : 'suggestion';
      if (learned) button.title = 'a word the model did not know, learned from what you typed';
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
/** The word model's adaptation (null for a character model). */
let adaptation = null;
/** The profile store, or null when the browser has none; profiles are kept per model URL. */
let store = null;
let profileKey = '';
/** The save in flight, and whether another was asked for meanwhile (saves never overlap). */
let saving = null;
let saveAgain = false;
/** tracker.tokensTaught when the last save began: a save is due when it grows. */
let taughtAtSave = 0;
let loaded = '';
let lastSave = '';

/** The suggestions for the box's text: the adapting tracker's (new words included), or suggestWords for a character model. */
function suggestionsFor(text) {
  if (adaptation === null) return text.trim() === '' ? [] : suggestWords(model, text, 5);
  // The tracker hears every text, the empty one too (a cleared box is a rewrite from the start).
  const suggestions = adaptation.tracker.suggestFor(text, 5);
  if (text.trim() === '') return [];
  const newWordId = adaptation.learner.unknownId;
  return suggestions.map((s) => ({ word: s.text, probability: s.probability, learned: s.id === newWordId }));
}

function update() {
  if (model === null) return;
  const started = performance.now();
  show(suggestionsFor(textBox.value));
  status.textContent = `${description}; suggestions in ${(performance.now() - started).toFixed(1)} ms`;
  if (adaptation !== null && adaptation.tracker.tokensTaught !== taughtAtSave) saveProfile();
  showLearning();
}

/** Saves the learner's profile (coalesced: one save at a time, the latest state last). */
function saveProfile() {
  if (adaptation === null || store === null) return saving;
  if (saving !== null) {
    saveAgain = true;
    return saving;
  }
  const started = performance.now();
  taughtAtSave = adaptation.tracker.tokensTaught;
  const bytes = adaptation.profileBytes();
  const encodeMs = performance.now() - started;
  saving = store
    .save(profileKey, bytes)
    .then(() => {
      lastSave = `profile ${(bytes.length / 1024).toFixed(0)} KB, saved in ${(performance.now() - started).toFixed(0)} ms (encoding ${encodeMs.toFixed(0)} ms)`;
      document.body.dataset.savedTaught = String(taughtAtSave);
      showLearning();
    })
    .catch((error) => showNote(`Could not save what the page learned: ${error.message}`))
    .finally(() => {
      saving = null;
      if (saveAgain) {
        saveAgain = false;
        saveProfile();
      }
    });
  return saving;
}

function showLearning() {
  if (adaptation === null) return;
  const { learner } = adaptation;
  const words = [];
  for (let i = 0; i < Math.min(learner.newWords?.size ?? 0, 6); i++) words.push(learner.newWords.textOf(i));
  const more = (learner.newWords?.size ?? 0) > words.length ? ', …' : '';
  learning.textContent =
    `Learned from ${learner.tokensRead} tokens you typed` +
    (words.length > 0 ? `; new words: ${words.join(', ')}${more}` : '') +
    (store === null ? '; not kept (this browser has no IndexedDB)' : '') +
    [loaded, lastSave].filter((part) => part !== '').map((part) => `; ${part}`).join('');
}

/** True while the note only confirms an action (forget): the next keystroke clears it. */
let noteIsTransient = false;

function showNote(text, transient = false) {
  note.textContent = text;
  note.hidden = text === '';
  noteIsTransient = transient;
}

/** "Forget what I typed": the sessions forget, the text goes, the saved profile is deleted. */
async function forget() {
  if (adaptation === null) return;
  adaptation.tracker.forget();
  textBox.value = '';
  saveAgain = false;
  // A save in flight would otherwise land after the delete and bring the profile back.
  await saving;
  taughtAtSave = adaptation.tracker.tokensTaught;
  if (store !== null) await store.remove(profileKey);
  loaded = '';
  lastSave = '';
  document.body.dataset.profile = 'forgotten';
  showNote('Forgot what you typed: the page has learned nothing yet, and this browser keeps no profile.', true);
  update();
  textBox.focus();
}

/** Before the page goes away or out of sight: teach what is finished and save (best effort: the browser may not wait for IndexedDB). */
function keepBeforeLeaving() {
  if (adaptation === null) return;
  adaptation.tracker.teachFinished();
  if (adaptation.tracker.tokensTaught !== taughtAtSave) saveProfile();
}

/** Sets up the adaptation for a word model, with the profile this browser saved for it, if any. */
async function startAdapting(modelUrl) {
  profileKey = new URL(modelUrl, location.href).href;
  let saved = null;
  try {
    store = await openProfileStore();
    saved = await store.load(profileKey);
  } catch (error) {
    store = null;
    showNote(`What the page learns will not be kept: ${error.message}.`);
  }
  adaptation = createWriterAdaptation(model, saved);
  if (adaptation.refused !== null) {
    document.body.dataset.profile = 'refused';
    showNote(`The profile saved in this browser does not fit this model and is ignored (${adaptation.refused}); what you type now replaces it.`);
  } else if (adaptation.loadMs !== null) {
    document.body.dataset.profile = 'loaded';
    loaded = `profile ${(saved.length / 1024).toFixed(0)} KB loaded in ${adaptation.loadMs.toFixed(0)} ms (after ${adaptation.fingerprintMs.toFixed(0)} ms checking the model's fingerprint)`;
  } else {
    document.body.dataset.profile = 'none';
  }
  forgetButton.hidden = false;
  forgetButton.addEventListener('click', forget);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') keepBeforeLeaving();
  });
  window.addEventListener('pagehide', keepBeforeLeaving);
  showLearning();
}

textBox.addEventListener('input', () => {
  if (noteIsTransient) showNote('');
  update();
});
textBox.addEventListener('keydown', (event) => {
  const first = list.querySelector('button.suggestion');
  if (event.key === 'Tab' && first !== null) {
    event.preventDefault();
    take(first.dataset.word);
  }
});

try {
  let url;
  ({ model, url, description } = await fetchModel());
  if (model.tokenizer?.kind === 'word') await startAdapting(url);
  else learning.textContent = 'Learning as you type needs a word model; this character model suggests without it.';
  // A text the browser put back in the box is not one this page has seen: start empty.
  textBox.value = '';
  textBox.disabled = false;
  textBox.focus();
  status.textContent = description;
  document.body.dataset.ready = 'true';
  update();
} catch (error) {
  status.textContent = `could not load the model: ${error.message}`;
  document.body.dataset.ready = 'error';
}
