/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence on
 * every runtime, which makes demos, tests and training runs reproducible.
 * Not for cryptography. Each call costs a few integer operations.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Uniform integer in [0, n). */
  integer(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** The generator's whole state, for checkpoints. */
  getState(): number {
    return this.state;
  }

  /** Continues from a state returned by {@link getState}. */
  setState(state: number): void {
    this.state = state >>> 0;
  }
}
