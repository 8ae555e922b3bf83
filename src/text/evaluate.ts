import { ErrorCode } from '../errors.ts';
import { logSumExp } from '../math/softmax.ts';
import { TextError } from './errors.ts';

/** The parts of a Model that {@link evaluateLanguageModel} uses (a Model fits). */
export interface EvaluatingModelLike {
  readonly architecture: { readonly input: string; readonly vocabSize: number; readonly head: string; readonly outputSize: number };
  session(): { step(input: number): Float32Array };
}

/** Options of {@link evaluateLanguageModel}. */
export interface EvaluateOptions {
  /**
   * A token read before the first one, so that every token of the stream is
   * predicted (a paragraph mark suits the Brown files). Omitted: the first
   * token is only read, and tokens.length − 1 are predicted.
   */
  readonly startToken?: number;
  /** Called every `progressEvery` predictions with the count so far. */
  readonly onProgress?: (predicted: number) => void;
  readonly progressEvery?: number;
  /** Called for every predicted token, in order, with its natural-log probability. */
  readonly onScore?: (logProbability: number) => void;
}

/** What a language model scores on a token stream. */
export interface Evaluation {
  /** exp(mean negative log-likelihood) over the predicted tokens. */
  readonly perplexity: number;
  /** Mean negative log-likelihood in nats. */
  readonly crossEntropy: number;
  /** Share of tokens that were the most likely prediction. */
  readonly top1: number;
  /** Share of tokens among the five most likely predictions. */
  readonly top5: number;
  /** Number of predicted tokens. */
  readonly tokens: number;
}

/**
 * Scores a language model on a token stream with the state carried through
 * the whole stream (batch 1, one session): each token is predicted from
 * everything before it. A token's rank counts the logits strictly above its
 * own, so ties go in its favour. Cost: one step per token plus O(V) per token;
 * allocates nothing per token.
 */
export function evaluateLanguageModel(model: EvaluatingModelLike, tokens: ArrayLike<number>, options: EvaluateOptions = {}): Evaluation {
  const a = model.architecture;
  if (a.input !== 'embedding' || a.head !== 'softmax') {
    throw new TextError(ErrorCode.NOT_A_LANGUAGE_MODEL, 'evaluation needs a model with token input and a softmax head');
  }
  const session = model.session();
  const V = a.outputSize;
  let logits: Float32Array | null = options.startToken === undefined ? null : session.step(options.startToken);
  const progressEvery = options.progressEvery ?? 10_000;
  let nll = 0;
  let top1 = 0;
  let top5 = 0;
  let predicted = 0;
  for (let t = 0; t < tokens.length; t++) {
    const target = tokens[t];
    if (logits !== null) {
      if (!(Number.isInteger(target) && target >= 0 && target < V)) {
        throw new TextError(ErrorCode.UNKNOWN_TOKEN, `token ${t} of the stream is id ${target}, outside the output [0, ${V})`);
      }
      const targetLogit = logits[target];
      const loss = logSumExp(logits, V) - targetLogit;
      nll += loss;
      if (options.onScore !== undefined) options.onScore(-loss);
      let above = 0;
      for (let i = 0; i < V && above < 5; i++) if (logits[i] > targetLogit) above++;
      if (above === 0) top1++;
      if (above < 5) top5++;
      predicted++;
      if (options.onProgress !== undefined && predicted % progressEvery === 0) options.onProgress(predicted);
    }
    logits = session.step(target);
  }
  const crossEntropy = predicted === 0 ? NaN : nll / predicted;
  return {
    perplexity: Math.exp(crossEntropy),
    crossEntropy,
    top1: predicted === 0 ? NaN : top1 / predicted,
    top5: predicted === 0 ? NaN : top5 / predicted,
    tokens: predicted,
  };
}
