/**
 * What an adaptation profile holds: everything one writer's adaptation to
 * one model has learned, as plain typed arrays (docs/PROFILE-FORMAT.md
 * specifies how it is stored). The adapt room fills it from an
 * AdaptiveSession and reads it back into one; the codec (profile-codec.ts)
 * only checks shapes and bounds, it does not interpret the values.
 */
export interface AdaptationProfile {
  /** The model it belongs to: modelFingerprint(model), a lowercase hex string. */
  readonly modelFingerprint: string;
  /** H of the model: the width of every cache state. */
  readonly hiddenSize: number;
  /** V of the model, its token space (the embedding's rows; a dense-input model's softmax outputs; else 0): every token id in the profile is below it. */
  readonly vocabSize: number;
  /** Tokens the profile has read in all (a statistic; a non-negative safe integer). */
  readonly tokensRead: number;
  /** The recency cache, oldest entry first; null when the session ran without a cache. */
  readonly cache: ProfileCache | null;
  /** Words outside the vocabulary the writer typed, in the order first seen; each text appears once. */
  readonly newWords: readonly ProfileNewWord[];
  /** Dynamic evaluation's weight deltas (adapted − shipped), one entry per adapted tensor; empty without. */
  readonly deltas: readonly ProfileDelta[];
  /** The recurrent state to resume from (h then C, Session.snapshot's layout: Session.stateSize floats, a multiple of hiddenSize), or null. */
  readonly state: Float32Array | null;
}

/** The cache's entries: entry i is the top-layer h_i and the token that followed it. */
export interface ProfileCache {
  /** 'continuous' keeps states; 'unigram' keeps tokens only (states is empty). */
  readonly kind: 'continuous' | 'unigram';
  /** W ≥ 1, the ring's capacity (tokens.length ≤ capacity). */
  readonly capacity: number;
  /** [n] token ids in [0, vocabSize): the token that followed each state. */
  readonly tokens: Int32Array;
  /** [n] for each entry, the index into newWords of the string the writer typed where the model saw the unknown token, or −1. */
  readonly newWordIndices: Int32Array;
  /** [n × hiddenSize] for 'continuous'; empty for 'unigram'. */
  readonly states: Float32Array;
}

/** One out-of-vocabulary word the writer used. */
export interface ProfileNewWord {
  /** The word as typed (1 … 64 UTF-16 units, no whitespace, no unpaired surrogate). */
  readonly text: string;
  /** Times the writer used it (a positive safe integer). */
  readonly count: number;
}

/**
 * One adapted tensor's delta. `rows` null: a dense delta of the whole tensor
 * (values.length = tensor's element count). `rows` given: a sparse delta of
 * those rows only (values.length = rows.length × columns), e.g. the
 * embedding rows a writer's words touched.
 */
export interface ProfileDelta {
  /** The tensor's name as the model file names it (e.g. 'layers.0.weight', 'head.bias', 'embedding'). */
  readonly name: string;
  /** [rows, columns] of the whole tensor (columns 1 for a vector). */
  readonly shape: readonly [number, number];
  /** Ascending, distinct row indices of a sparse delta, or null for a dense one. */
  readonly rows: Int32Array | null;
  /** The deltas, row-major: all rows (dense) or the listed rows (sparse); finite. */
  readonly values: Float32Array;
}
