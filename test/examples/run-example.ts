import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = fileURLToPath(new URL('../../', import.meta.url));
/** The shipped word model and the character model (see models/brown-char.md). */
export const shippedWordModel = `${root}models/brown-lstm.q8.msgpack`;
export const charModel = `${root}models/brown-char.q8.msgpack`;
/** True once the word model is shipped: the examples' defaults use it, and the character model until then. */
export const hasShippedWordModel = existsSync(shippedWordModel);
/**
 * The word model the word-model tests run: the shipped one, or the file
 * LSTM_STREAM_WORD_MODEL names (to try a candidate before it is shipped).
 * Those tests skip while there is none; the character-model tests always run.
 */
export const wordModel = process.env.LSTM_STREAM_WORD_MODEL ?? shippedWordModel;
export const hasWordModel = existsSync(wordModel);

/**
 * Runs an example as its README says (`node examples/…`) from the repository
 * root, with `input` piped to its stdin; returns its exit status and output.
 * The examples import the built package, so `npm run build` must have run.
 */
export function runExample(script: string, args: readonly string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('node', [script, ...args], { cwd: root, input, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
