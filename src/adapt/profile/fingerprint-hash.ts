// A 64-bit digest of a stream of 32-bit words, in two independent 32-bit
// lanes (pure TypeScript, Math.imul only, so it runs the same in every
// runtime and browser; no node:crypto, no BigInt). Lane a is MurmurHash3's
// block step, lane b xxHash32's round: different constants and structure,
// so a change that happens to cancel in one lane is unlikely to cancel in
// the other. Each step is a bijection of the lane's state for a fixed word
// and of the word for a fixed state, so changing any one word of the stream
// always changes both lanes. Not cryptographic: it tells models apart, it
// does not resist someone forging a collision.

const M1 = 0xcc9e2d51;
const M2 = 0x1b873593;
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;

/**
 * Accumulates 32-bit words, numbers, strings and float arrays into a 64-bit
 * digest. Cost: a few integer operations per word; allocates nothing but
 * the final hex string.
 */
export class FingerprintHash {
  private a = 0x6c73746d; // "lstm"
  private b = 0x73747265; // "stre"
  private words = 0;

  /** Adds one 32-bit word (the low 32 bits of value). */
  addWord(value: number): void {
    let k = Math.imul(value | 0, M1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, M2);
    let a = this.a ^ k;
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    const b = (this.b + Math.imul(value | 0, P2)) | 0;
    this.b = Math.imul((b << 13) | (b >>> 19), P1);
    this.words++;
  }

  /** Adds a non-negative safe integer as two words (low, high), so sizes past 2^32 stay distinct. */
  addNumber(value: number): void {
    this.addWord(value >>> 0);
    this.addWord(Math.floor(value / 2 ** 32) >>> 0);
  }

  /** Adds a string: its length, then every UTF-16 code unit. */
  addString(text: string): void {
    this.addWord(text.length);
    for (let i = 0; i < text.length; i++) this.addWord(text.charCodeAt(i));
  }

  /**
   * Adds every word of `bits`: the IEEE bit patterns of a Float32Array seen
   * through a Uint32Array on the same buffer (the same host byte order on
   * both sides, so the pattern is the float's on any host), or int32 values.
   */
  addWords(bits: Uint32Array | Int32Array): void {
    for (let i = 0; i < bits.length; i++) this.addWord(bits[i]);
  }

  /** The digest: 16 lowercase hex digits (lane a, then lane b), each lane finished with MurmurHash3's avalanche over the word count. */
  digest(): string {
    return hex32(avalanche(this.a ^ this.words)) + hex32(avalanche(this.b ^ Math.imul(this.words, P1)));
  }
}

function avalanche(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex32(value: number): string {
  return value.toString(16).padStart(8, '0');
}
