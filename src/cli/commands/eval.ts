import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ErrorCode } from '../../errors.ts';
import { TextError } from '../../text/errors.ts';
import { evaluateLanguageModel } from '../../text/evaluate.ts';
import { parseTokenLines } from '../../train/data/token-file.ts';
import { AdaptiveSession } from '../../adapt/adaptive-session.ts';
import type { AdaptationOptions } from '../../adapt/adaptation-options.ts';
import type { Model } from '../../model/model.ts';
import { ADAPT_FLAGS, ADAPT_USAGE, adaptationFromFlags } from '../adapt-flags.ts';
import type { Command } from '../command.ts';
import { loadModelArgument } from '../model-argument.ts';

const USAGE = `usage: lstm-stream eval MODEL FILE [--json] [--start TOKEN] [--limit N] [--adapt [flags]] [--scores OUT]

Scores a language model on FILE (one token per line; tokens outside the
model's vocabulary count as its unknown token). The state is carried through
the whole file, batch 1. Prints perplexity, top-1 and top-5 accuracy and the
number of predicted tokens; --json prints { "perplexity", "top1", "top5",
"tokens" }. Every token of FILE is predicted: the model first reads --start
(default <p>, the paragraph mark, when the vocabulary has it).

--adapt scores with adaptation on: the recency cache and dynamic evaluation,
each token predicted from what came before it only (the cache takes a token,
and dynamic evaluation learns from a segment, only after predicting it).
--scores OUT writes one line per predicted token, in order: its natural-log
probability.

${ADAPT_USAGE}`;

/** `lstm-stream eval`: perplexity and top-k accuracy on a token file. */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'perplexity, top-1 and top-5 accuracy of a language model on a token file',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        start: { type: 'string', default: '<p>' },
        limit: { type: 'string' },
        adapt: { type: 'boolean' },
        scores: { type: 'string' },
        ...ADAPT_FLAGS,
      },
    });
    if (positionals.length !== 2) {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
    const [modelPath, tokenPath] = positionals;
    const model = await loadModelArgument(modelPath);
    const vocabulary = model.vocabulary;
    if (vocabulary === null) throw new TextError(ErrorCode.NOT_A_LANGUAGE_MODEL, `${modelPath} has no vocabulary to read ${tokenPath} with`);
    const ids = new Map(vocabulary.map((token, id) => [token, id]));
    const unknown = ids.get(model.tokenizer?.unknownToken ?? '<unk>');
    // Read exactly as the trainer reads its token files (blank lines skipped, \r\n accepted).
    const lines = parseTokenLines(await readFile(tokenPath, 'utf8'));
    const limit = values.limit === undefined ? lines.length : Math.min(lines.length, Number(values.limit));
    const tokens = new Int32Array(limit);
    for (let t = 0; t < limit; t++) {
      const id = ids.get(lines[t]) ?? unknown;
      if (id === undefined) throw new TextError(ErrorCode.UNKNOWN_TOKEN, `${tokenPath} token ${t + 1}: ${JSON.stringify(lines[t])} is not in the vocabulary, which has no unknown token`);
      tokens[t] = id;
    }
    const startToken = ids.get(values.start as string);
    const started = performance.now();
    const scores: string[] = [];
    const options = { ...(startToken === undefined ? {} : { startToken }), ...(values.scores === undefined ? {} : { onScore: (score: number) => scores.push(String(score)) }) };
    const scored = values.adapt ? adaptedModel(model, adaptationFromFlags(model, values, true)) : model;
    const result = evaluateLanguageModel(scored, tokens, options);
    const seconds = (performance.now() - started) / 1000;
    if (values.scores !== undefined) await writeFile(values.scores, scores.length === 0 ? '' : `${scores.join('\n')}\n`);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ perplexity: result.perplexity, top1: result.top1, top5: result.top5, tokens: result.tokens })}\n`);
    } else {
      process.stdout.write(
        `perplexity ${result.perplexity.toFixed(2)}  top-1 ${(result.top1 * 100).toFixed(2)}%  top-5 ${(result.top5 * 100).toFixed(2)}%  ` +
          `${result.tokens} tokens in ${seconds.toFixed(1)} s (${((seconds * 1e6) / result.tokens).toFixed(0)} µs per token)\n`,
      );
    }
    return 0;
  },
};

/** The model as evaluateLanguageModel sees it, with its one session an AdaptiveSession. */
function adaptedModel(model: Model, options: AdaptationOptions): { architecture: Model['architecture']; session(): AdaptiveSession } {
  return { architecture: model.architecture, session: () => new AdaptiveSession(model, options) };
}
