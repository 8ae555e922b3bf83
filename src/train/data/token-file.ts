import { readFileSync } from 'node:fs';
import { ErrorCode } from '../../errors.ts';
import { TrainingError } from '../errors.ts';

/** Splits a token file's text into tokens: one token per line; blank lines are skipped, line ends may be \n or \r\n. */
export function parseTokenLines(text: string): string[] {
  const tokens: string[] = [];
  for (const line of text.split('\n')) {
    const token = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (token.length > 0) tokens.push(token);
  }
  return tokens;
}

/** Reads a UTF-8 token file (one token per line). Throws TrainingError naming the path when it cannot be read. Cold path. */
export function readTokenFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TrainingError(ErrorCode.TRAINING_DATA_INVALID, `cannot read token file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const tokens = parseTokenLines(text);
  if (tokens.length === 0) throw new TrainingError(ErrorCode.TRAINING_DATA_INVALID, `token file ${path} has no tokens`);
  return tokens;
}

/** Options of {@link buildVocabulary}. */
export interface VocabularyOptions {
  /** Keep at most this many entries (the unknown token included). Default: no limit. */
  readonly maxSize?: number;
  /** Keep only tokens seen at least this often. Default 1. */
  readonly minCount?: number;
  /** The entry every dropped or unseen token maps to; always id 0. Default `<unk>`. */
  readonly unknownToken?: string;
}

/**
 * A vocabulary from training tokens: the unknown token at id 0, then tokens
 * by falling count (ties in code-unit order, so the result is the same on
 * every runtime). Cost: one pass plus a sort of the distinct tokens.
 */
export function buildVocabulary(tokens: readonly string[], options: VocabularyOptions = {}): string[] {
  const unknown = options.unknownToken ?? '<unk>';
  const minCount = options.minCount ?? 1;
  const maxSize = options.maxSize ?? Infinity;
  const counts = new Map<string, number>();
  for (const token of tokens) if (token !== unknown) counts.set(token, (counts.get(token) ?? 0) + 1);
  const kept = [...counts].filter(([, count]) => count >= minCount);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return [unknown, ...kept.slice(0, Math.max(0, maxSize - 1)).map(([token]) => token)];
}

/** Token ids of `tokens` in `vocabulary`; a token not in it maps to `unknownId` (default 0). Allocates the Int32Array. */
export function encodeTokens(tokens: readonly string[], vocabulary: readonly string[], unknownId = 0): Int32Array {
  const ids = new Map<string, number>();
  vocabulary.forEach((token, id) => {
    if (!ids.has(token)) ids.set(token, id);
  });
  const out = new Int32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) out[i] = ids.get(tokens[i]) ?? unknownId;
  return out;
}
