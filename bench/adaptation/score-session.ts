// The tuning scripts' measure: an adaptive session reads `tokens` after `startToken`, each
// predicted before it is read; perplexity, top-5 accuracy and microseconds per token.
import { logSumExp } from '../../src/math/softmax.ts';

/** What the tuning scripts step: an AdaptiveSession (or anything stepping like one). */
export interface ScoredSession {
  step(token: number): Float32Array;
}

export interface SessionScore {
  readonly perplexity: number;
  /** Share of tokens among the five most likely (fewer than five scored higher). */
  readonly top5: number;
  readonly microsecondsPerToken: number;
}

/** Steps the session over every token once; the target's log-probability is logit − logΣexp of the output that predicted it. */
export function scoreSession(session: ScoredSession, tokens: readonly number[], startToken: number): SessionScore {
  const started = performance.now();
  let out = session.step(startToken);
  const V = out.length;
  let nll = 0;
  let top5 = 0;
  for (const target of tokens) {
    const logit = out[target];
    nll += logSumExp(out, V) - logit;
    let above = 0;
    for (let i = 0; i < V && above < 5; i++) if (out[i] > logit) above++;
    if (above < 5) top5++;
    out = session.step(target);
  }
  return {
    perplexity: Math.exp(nll / tokens.length),
    top5: top5 / tokens.length,
    microsecondsPerToken: (1000 * (performance.now() - started)) / tokens.length,
  };
}

/** "ppl 127.38 top5 41.52%", the form the scripts' headers record. */
export function formatScore(score: SessionScore): string {
  return `ppl ${score.perplexity.toFixed(2)} top5 ${(100 * score.top5).toFixed(2)}%`;
}
