import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { runInteractive } from '../interactive.ts';
import { loadModelArgument, looksLikeModelPath } from '../model-argument.ts';
import { Suggester } from '../suggester.ts';
import { ADAPT_FLAGS, ADAPT_USAGE } from '../adapt-flags.ts';
import { openProfileSession, saveSessionProfile } from '../profile-session.ts';

const USAGE = `usage: lstm-stream predict [MODEL] "text" [-k N] [--json] [--profile PROFILE]
       lstm-stream predict [MODEL] --interactive [--profile PROFILE]

Prints the most likely next words after the text. MODEL is a model file
(default: the shipped ${'Brown-corpus'} model). If the text ends inside a word,
the suggestions complete that word. --interactive suggests next words live as
you type (on a terminal; line by line when input is piped).

--profile PROFILE adapts to its writer (see \`lstm-stream learn\`): the
suggestions come from the profile's cache and weights, include the words
outside the vocabulary it learned, and never the unknown token. The text is
read with adaptation too; --interactive learns as you type and saves the
profile when you quit (it is created if missing). It learns each finished
word once: a sentence once you have typed past its end, the rest of a text
when you press Enter (or a piped line ends) or quit; a word you fix before
then is not learned, and editing text already learned does not teach it again.

${ADAPT_USAGE}`;

/** `lstm-stream predict`: next-word suggestions. */
export const predictCommand: Command = {
  name: 'predict',
  summary: 'the most likely next words after a text (or live, with --interactive)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { k: { type: 'string', short: 'k', default: '5' }, json: { type: 'boolean' }, interactive: { type: 'boolean', short: 'i' }, profile: { type: 'string' }, ...ADAPT_FLAGS },
    });
    const modelPath = positionals.length > 0 && looksLikeModelPath(positionals[0]) ? positionals.shift() : undefined;
    const k = Number(values.k);
    const model = await loadModelArgument(modelPath);
    const adaptive = values.profile === undefined ? null : await openProfileSession(model, values, values.profile, true);
    const suggester = new Suggester(model, adaptive);
    if (values.interactive) {
      const status = await runInteractive(suggester, k);
      if (adaptive !== null && values.profile !== undefined) {
        const bytes = await saveSessionProfile(adaptive, values.profile);
        const words = adaptive.newWords?.size ?? 0;
        // stderr: piped suggestions on stdout stay one format.
        process.stderr.write(`saved ${values.profile} (${bytes} bytes; ${adaptive.tokensRead} tokens read in all, ${words} new word${words === 1 ? '' : 's'})\n`);
      }
      return status;
    }
    const text = positionals.join(' ');
    const suggestions = suggester.suggest(text, k);
    if (values.json) process.stdout.write(`${JSON.stringify(suggestions)}\n`);
    else for (const s of suggestions) process.stdout.write(`${s.text.padEnd(16)} ${(s.probability * 100).toFixed(2)}%\n`);
    return 0;
  },
};
