import { parseArgs } from 'node:util';
import { generate } from '../../text/generate.ts';
import type { Command } from '../command.ts';
import { loadModelArgument, looksLikeModelPath } from '../model-argument.ts';

const USAGE = `usage: lstm-stream generate [MODEL] "prompt" [options]

Continues the prompt by sampling one token at a time and feeding it back.
  --max-tokens N     tokens to generate (default 30)
  --temperature X    < 1 sharper, > 1 flatter (default 1)
  --top-k N          sample among the N most likely (default 0 = all)
  --top-p X          sample within the smallest set of probability X (default 1)
  --seed N           the same seed gives the same text everywhere (default 1)`;

/** `lstm-stream generate`: text continuation. */
export const generateCommand: Command = {
  name: 'generate',
  summary: 'continue a prompt by sampling (temperature, top-k, top-p, seed)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        'max-tokens': { type: 'string', default: '30' },
        temperature: { type: 'string', default: '1' },
        'top-k': { type: 'string', default: '0' },
        'top-p': { type: 'string', default: '1' },
        seed: { type: 'string', default: '1' },
      },
    });
    const modelPath = positionals.length > 0 && looksLikeModelPath(positionals[0]) ? positionals.shift() : undefined;
    const model = await loadModelArgument(modelPath);
    const prompt = positionals.join(' ');
    const topK = Number(values['top-k']);
    const result = generate(model, prompt === '' ? '<p>' : prompt, {
      maxTokens: Number(values['max-tokens']),
      temperature: Number(values.temperature),
      ...(topK > 0 ? { topK } : {}),
      topP: Number(values['top-p']),
      seed: Number(values.seed),
    });
    process.stdout.write(`${prompt}${prompt === '' ? '' : ' '}${result.text}\n`);
    return 0;
  },
};
