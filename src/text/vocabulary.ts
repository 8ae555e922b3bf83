import { ErrorCode } from '../errors.ts';
import { TextError } from './errors.ts';

/**
 * The two-way map between token strings and ids, with an optional unknown
 * token that every out-of-vocabulary string maps to. Immutable.
 * Memory: one Map entry per token (built once; share one Vocabulary per model).
 */
export class Vocabulary {
  /** The string of every id, in id order. */
  readonly tokens: readonly string[];
  /** Id of the unknown token, or -1 when the vocabulary has none. */
  readonly unknownId: number;
  private readonly ids: ReadonlyMap<string, number>;

  /**
   * Throws TextError (VOCABULARY_INVALID) for a non-string or repeated entry,
   * or an `unknownToken` that is not in `tokens`. Cold path: one pass.
   */
  constructor(tokens: readonly string[], unknownToken: string | null = null) {
    const ids = new Map<string, number>();
    tokens.forEach((token, id) => {
      if (typeof token !== 'string') {
        throw new TextError(ErrorCode.VOCABULARY_INVALID, `vocabulary entry ${id} is ${typeof token}, expected a string`);
      }
      const earlier = ids.get(token);
      if (earlier !== undefined) {
        throw new TextError(ErrorCode.VOCABULARY_INVALID, `vocabulary entry ${id} ${JSON.stringify(token)} repeats entry ${earlier}`);
      }
      ids.set(token, id);
    });
    let unknownId = -1;
    if (unknownToken !== null) {
      const id = ids.get(unknownToken);
      if (id === undefined) {
        throw new TextError(ErrorCode.VOCABULARY_INVALID, `unknown token ${JSON.stringify(unknownToken)} is not in the vocabulary of ${tokens.length} entries`);
      }
      unknownId = id;
    }
    this.tokens = Object.freeze(tokens.slice());
    this.ids = ids;
    this.unknownId = unknownId;
    Object.freeze(this);
  }

  /** Number of tokens. */
  get size(): number {
    return this.tokens.length;
  }

  /** True when `token` has its own id (the unknown token's fallback does not count). */
  has(token: string): boolean {
    return this.ids.has(token);
  }

  /**
   * The id of `token`; the unknown id for an out-of-vocabulary token. Throws
   * TextError (UNKNOWN_TOKEN) when there is no unknown token. One Map lookup.
   */
  idOf(token: string): number {
    const id = this.ids.get(token);
    if (id !== undefined) return id;
    if (this.unknownId >= 0) return this.unknownId;
    throw new TextError(ErrorCode.UNKNOWN_TOKEN, `token ${JSON.stringify(token)} is not in the vocabulary, which has no unknown token`);
  }

  /** The string of `id`. Throws TextError (UNKNOWN_TOKEN) for an id outside [0, size). */
  tokenOf(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.tokens.length) {
      throw new TextError(ErrorCode.UNKNOWN_TOKEN, `token id ${id} is outside the vocabulary [0, ${this.tokens.length})`);
    }
    return this.tokens[id];
  }
}
