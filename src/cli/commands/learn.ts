import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ErrorCode } from '../../errors.ts';
import { TextError } from '../../text/errors.ts';
import { ADAPT_FLAGS, ADAPT_USAGE } from '../adapt-flags.ts';
import type { Command } from '../command.ts';
import { loadModelArgument, looksLikeModelPath } from '../model-argument.ts';
import { openProfileSession, saveSessionProfile } from '../profile-session.ts';

const USAGE = `usage: lstm-stream learn [MODEL] TEXTFILE --profile PROFILE [adaptation flags]

Reads a person's own text (plain text, UTF-8; a blank line starts a new
paragraph) into an adaptation profile: the recency cache, the words outside
the vocabulary they use, and dynamic evaluation's weight changes. Creates
PROFILE, or updates it when it exists (it must belong to MODEL). Nothing
leaves the machine. Use the profile with \`predict --profile\`.

${ADAPT_USAGE}`;

/** `lstm-stream learn`: a person's text into an adaptation profile. */
export const learnCommand: Command = {
  name: 'learn',
  summary: "reads a person's text into an adaptation profile (cache, new words, weights)",
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { profile: { type: 'string' }, ...ADAPT_FLAGS } });
    const modelPath = positionals.length > 1 && looksLikeModelPath(positionals[0]) ? positionals.shift() : undefined;
    if (positionals.length !== 1 || values.profile === undefined) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const model = await loadModelArgument(modelPath);
    const session = await openProfileSession(model, values, values.profile, true);
    const vocabulary = model.vocabulary;
    if (vocabulary === null) throw new TextError(ErrorCode.NOT_A_LANGUAGE_MODEL, 'learn needs a model with a vocabulary');
    const paragraph = vocabulary.indexOf('<p>');
    const text = await readFile(positionals[0], 'utf8');
    const before = session.tokensRead;
    const wordsBefore = session.newWords?.size ?? 0;
    // Each paragraph is read as the corpus marks them: a paragraph mark first.
    for (const part of text.split(/\n\s*\n/)) {
      if (part.trim() === '') continue;
      if (paragraph >= 0) session.step(paragraph);
      session.readText(part);
    }
    const bytes = await saveSessionProfile(session, values.profile);
    const learned = session.newWords?.size ?? 0;
    process.stdout.write(
      `read ${session.tokensRead - before} tokens (${session.tokensRead} in all); ${learned} new word${learned === 1 ? '' : 's'} (${learned - wordsBefore} this time)` +
        `${session.newWords !== null && learned > 0 ? `: ${listWords(session)}` : ''}\n${values.profile}: ${bytes} bytes\n`,
    );
    return 0;
  },
};

function listWords(session: { newWords: { size: number; textOf(i: number): string } | null }): string {
  const table = session.newWords!;
  const shown = Array.from({ length: Math.min(table.size, 10) }, (_, i) => table.textOf(i));
  return shown.join(', ') + (table.size > 10 ? ', …' : '');
}
