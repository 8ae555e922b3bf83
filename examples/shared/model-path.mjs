// Which model file an example loads: --model PATH when given, else the
// shipped word model, else (while the word model is not shipped yet) the
// shipped character model, with a note on stderr saying so.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shipped next-word model (word-level LSTM on the Brown corpus). */
export const WORD_MODEL = fileURLToPath(new URL('../../models/brown-lstm.q8.msgpack', import.meta.url));
/** The shipped character model (models/brown-char.md). */
export const CHAR_MODEL = fileURLToPath(new URL('../../models/brown-char.q8.msgpack', import.meta.url));

/** The model path to load: `requested` if given, else the word model, else the character model. */
export function chooseModelPath(requested) {
  if (requested !== undefined) return requested;
  if (existsSync(WORD_MODEL)) return WORD_MODEL;
  process.stderr.write(`note: ${WORD_MODEL} is not there; using the character model ${CHAR_MODEL}\n`);
  return CHAR_MODEL;
}
