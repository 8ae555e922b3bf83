import { parseArgs } from 'node:util';
import { describeLayers, isMixedStack } from '../../model/architecture.ts';
import { adaptiveSession } from '../../adapt/adaptive-session.ts';
import { loadModel } from '../../format/load-model.ts';
import { joinWords } from '../../text/word-split.ts';
import type { Command } from '../command.ts';
import { DEFAULT_MODEL, defaultModelPath } from '../default-model.ts';
import { runInteractive } from '../interactive.ts';
import { formatSuggestion, Suggester } from '../suggester.ts';
import { demoCommand } from './demo.ts';

const PROMPTS = ['The jury said it', 'He walked into the', 'In the United States , the', 'She looked at him and'];

// Adaptation: a name the vocabulary does not have, read once, then suggested.
const INTRODUCTION = 'Our new neighbour is called Quarnell . Quarnell moved here from the coast , and Quarnell works at the mill .';
const AFTER_INTRODUCTION = 'On Sunday I went fishing with';

const USAGE = `usage: lstm-stream start [--no-interactive]

The main job (npm start): loads the shipped next-word model (${DEFAULT_MODEL}),
prints suggestions for a few sentences with the time to the first ones, then,
on a terminal, suggests next words live as you type. Without the shipped
model it runs the demo instead.`;

/** `lstm-stream start`: next-word prediction on the shipped model. */
export const startCommand: Command = {
  name: 'start',
  summary: 'next-word suggestions from the shipped model (what npm start runs)',
  usage: USAGE,
  async run(args) {
    const { values } = parseArgs({ args, options: { 'no-interactive': { type: 'boolean' } } });
    const path = defaultModelPath();
    if (path === null) {
      process.stdout.write(`The shipped model ${DEFAULT_MODEL} is not in this checkout; running the demo instead.\n\n`);
      return demoCommand.run([]);
    }
    const model = await loadModel(path);
    const suggester = new Suggester(model);
    const out = process.stdout;
    for (const [n, prompt] of PROMPTS.entries()) {
      const suggestions = suggester.suggest(`${prompt} `, 5);
      const shown = suggestions.map(formatSuggestion).join(', ');
      out.write(`${prompt} … ${shown}\n`);
      // Time from process start: loading, tokenizer set-up and the first prediction.
      if (n === 0) out.write(`  (first suggestions ${(performance.now()).toFixed(0)} ms after start)\n`);
    }
    // The same model adapting to its writer: the recency cache and new words.
    const adapted = new Suggester(model, adaptiveSession(model)).suggest(`${INTRODUCTION} ${AFTER_INTRODUCTION} `, 5);
    out.write(`\nIt learns the writer as they type. After reading\n  "${joinWords(INTRODUCTION.split(' '))}"\n`);
    out.write(`${AFTER_INTRODUCTION} … ${adapted.map(formatSuggestion).join(', ')}\n`);
    out.write(`  (the model alone: ${suggester.suggest(`${AFTER_INTRODUCTION} `, 5).map(formatSuggestion).join(', ')})\n`);
    const a = model.architecture;
    const stack = isMixedStack(a) ? `layers ${describeLayers(a)}` : `${a.cell}, ${a.numLayers} layer(s), hidden ${a.hiddenSize}`;
    out.write(`\nmodel: ${path}\n  ${stack}, vocabulary ${a.vocabSize}\n`);
    if (process.stdin.isTTY && !values['no-interactive']) {
      out.write('\n');
      return runInteractive(suggester, 5);
    }
    return 0;
  },
};
