import type { ParameterSlot } from '../trainable-model.ts';

/**
 * A running mean of the parameters over the optimizer steps since averaging
 * began (Polyak averaging, as in averaged SGD and stochastic weight
 * averaging): after n steps, mean = (w₁ + … + wₙ) / n. An averaged model is
 * usually better than the last iterate once the learning rate is small.
 * Memory: two copies of the parameters (the mean and a scratch copy used
 * while the mean is swapped in); a step costs one pass, no allocation.
 */
export class WeightAverage {
  /** The mean, slot by slot. */
  readonly values: Float32Array[];
  /** Steps averaged so far. */
  count = 0;
  private readonly slots: readonly ParameterSlot[];
  private readonly saved: Float32Array[];

  constructor(slots: readonly ParameterSlot[]) {
    this.slots = slots;
    this.values = slots.map((slot) => new Float32Array(slot.value.length));
    this.saved = slots.map((slot) => new Float32Array(slot.value.length));
  }

  /** Folds the parameters' current values into the mean. */
  add(): void {
    this.count++;
    const rate = 1 / this.count;
    for (let k = 0; k < this.slots.length; k++) {
      const w = this.slots[k].value;
      const mean = this.values[k];
      for (let i = 0; i < w.length; i++) mean[i] += (w[i] - mean[i]) * rate;
    }
  }

  /**
   * Runs `use` with the mean in place of the parameters (shared arrays: worker
   * threads see it too), then puts the current values back. Without any step
   * averaged yet it just runs `use` on the current values.
   */
  async swappedIn<T>(use: () => T | Promise<T>): Promise<T> {
    if (this.count === 0) return use();
    this.slots.forEach((slot, k) => {
      this.saved[k].set(slot.value);
      slot.value.set(this.values[k]);
    });
    try {
      return await use();
    } finally {
      this.slots.forEach((slot, k) => slot.value.set(this.saved[k]));
    }
  }
}
