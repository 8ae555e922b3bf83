import { parseArgs } from 'node:util';
import type { Command } from '../command.ts';
import { runInteractive } from '../interactive.ts';
import { loadModelArgument, looksLikeModelPath } from '../model-argument.ts';
import { Suggester } from '../suggester.ts';

const USAGE = `usage: lstm-stream predict [MODEL] "text" [-k N] [--json]
       lstm-stream predict [MODEL] --interactive

Prints the most likely next words after the text. MODEL is a model file
(default: the shipped ${'Brown-corpus'} model). If the text ends inside a word,
the suggestions complete that word. --interactive suggests next words live as
you type (on a terminal; line by line when input is piped).`;

/** `lstm-stream predict`: next-word suggestions. */
export const predictCommand: Command = {
  name: 'predict',
  summary: 'the most likely next words after a text (or live, with --interactive)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { k: { type: 'string', short: 'k', default: '5' }, json: { type: 'boolean' }, interactive: { type: 'boolean', short: 'i' } },
    });
    const modelPath = positionals.length > 0 && looksLikeModelPath(positionals[0]) ? positionals.shift() : undefined;
    const k = Number(values.k);
    const model = await loadModelArgument(modelPath);
    const suggester = new Suggester(model);
    if (values.interactive) return runInteractive(suggester, k);
    const text = positionals.join(' ');
    const suggestions = suggester.suggest(text, k);
    if (values.json) process.stdout.write(`${JSON.stringify(suggestions)}\n`);
    else for (const s of suggestions) process.stdout.write(`${s.text.padEnd(16)} ${(s.probability * 100).toFixed(2)}%\n`);
    return 0;
  },
};
