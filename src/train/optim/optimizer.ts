import type { ParameterSlot } from '../trainable-model.ts';

/** Settings shared by the optimizers. */
export interface OptimizerSettings {
  /** 'sgd' (with optional momentum) or 'adam'. */
  readonly kind: 'sgd' | 'adam';
  /** SGD momentum μ (0 = plain SGD). Default 0. */
  readonly momentum?: number;
  /** L2 weight decay λ: SGD adds λ·w to the gradient; Adam decays decoupled (AdamW). Default 0. */
  readonly weightDecay?: number;
  /** Adam β₁, β₂, ε. Defaults 0.9, 0.999, 1e-8. */
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
}

/**
 * Updates parameters in place from their gradients. Holds one or two moment
 * arrays per parameter (allocated once, or handed in to share them with
 * worker threads); a step allocates nothing.
 * SGD: v = μ·v + (g + λ·w); w -= lr·v (PyTorch's form).
 * Adam (AdamW when λ > 0): m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
 * w -= lr·(m̂ / (√v̂ + ε) + λ·w), with bias-corrected m̂, v̂.
 * The parameters are seen as one flat index space (slot after slot), so an
 * update can be split into ranges that threads apply in parallel.
 */
export class Optimizer {
  readonly settings: Required<OptimizerSettings>;
  /** Steps taken (Adam's bias correction uses it). */
  stepCount = 0;
  /** Per slot: SGD velocity or Adam first moment. */
  readonly first: Float32Array[];
  /** Per slot: Adam second moment (empty for SGD). */
  readonly second: Float32Array[];
  /** Total number of parameters (the flat index space). */
  readonly size: number;
  private readonly slots: readonly ParameterSlot[];
  private readonly offsets: number[]; // [slots + 1] start of each slot in the flat index space

  /** Uses `moments` when given (shared with other threads), else allocates them. */
  constructor(
    slots: readonly ParameterSlot[],
    settings: OptimizerSettings,
    moments: { first: Float32Array[]; second: Float32Array[] } | ((length: number) => Float32Array) = (n) => new Float32Array(n),
  ) {
    this.settings = {
      kind: settings.kind,
      momentum: settings.momentum ?? 0,
      weightDecay: settings.weightDecay ?? 0,
      beta1: settings.beta1 ?? 0.9,
      beta2: settings.beta2 ?? 0.999,
      epsilon: settings.epsilon ?? 1e-8,
    };
    this.slots = slots;
    this.offsets = [0];
    for (const slot of slots) this.offsets.push(this.offsets[this.offsets.length - 1] + slot.value.length);
    this.size = this.offsets[slots.length];
    if (typeof moments === 'function') {
      const adam = settings.kind === 'adam';
      const usesFirst = adam || this.settings.momentum > 0;
      this.first = slots.map((slot) => moments(usesFirst ? slot.value.length : 0));
      this.second = slots.map((slot) => moments(adam ? slot.value.length : 0));
    } else {
      this.first = moments.first;
      this.second = moments.second;
    }
  }

  /** Applies one update with learning rate lr, scaling every gradient by gradientScale first (clipping). No allocation. */
  step(lr: number, gradientScale = 1): void {
    this.stepCount++;
    this.updateRange(lr, gradientScale, 0, this.size);
  }

  /**
   * Applies the update of step `stepCount` (already counted) to the flat
   * parameter range [from, to). Disjoint ranges may run on different threads;
   * together they equal {@link step}. No allocation.
   */
  updateRange(lr: number, gradientScale: number, from: number, to: number): void {
    for (let k = 0; k < this.slots.length; k++) {
      const start = Math.max(from, this.offsets[k]) - this.offsets[k];
      const end = Math.min(to, this.offsets[k + 1]) - this.offsets[k];
      if (start >= end) continue;
      if (this.settings.kind === 'adam') this.adamSlot(k, start, end, lr, gradientScale);
      else this.sgdSlot(k, start, end, lr, gradientScale);
    }
  }

  private sgdSlot(k: number, start: number, end: number, lr: number, scale: number): void {
    const { momentum, weightDecay } = this.settings;
    const w = this.slots[k].value;
    const g = this.slots[k].gradient;
    const v = this.first[k];
    if (momentum > 0) {
      for (let i = start; i < end; i++) {
        const velocity = momentum * v[i] + g[i] * scale + weightDecay * w[i];
        v[i] = velocity;
        w[i] -= lr * velocity;
      }
    } else {
      for (let i = start; i < end; i++) w[i] -= lr * (g[i] * scale + weightDecay * w[i]);
    }
  }

  private adamSlot(k: number, start: number, end: number, lr: number, scale: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    const stepSize = lr / (1 - Math.pow(beta1, this.stepCount));
    const root2 = Math.sqrt(1 - Math.pow(beta2, this.stepCount));
    const w = this.slots[k].value;
    const g = this.slots[k].gradient;
    const m = this.first[k];
    const v = this.second[k];
    for (let i = start; i < end; i++) {
      const gi = g[i] * scale;
      const mi = beta1 * m[i] + (1 - beta1) * gi;
      const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] -= (stepSize * mi) / (Math.sqrt(vi) / root2 + epsilon) + lr * weightDecay * w[i];
    }
  }

  /**
   * For the flat range [from, to): adds each `sources` gradient set (slot by
   * slot, in the given order) into the parameters' gradients, and returns
   * Σ g² of the summed gradients over the range (NaN/Infinity if any is not
   * finite). Disjoint ranges may run on different threads. No allocation.
   */
  reduceRange(sources: readonly (readonly Float32Array[])[], from: number, to: number): number {
    let sum = 0;
    for (let k = 0; k < this.slots.length; k++) {
      const start = Math.max(from, this.offsets[k]) - this.offsets[k];
      const end = Math.min(to, this.offsets[k + 1]) - this.offsets[k];
      if (start >= end) continue;
      const g = this.slots[k].gradient;
      for (const source of sources) {
        const s = source[k];
        for (let i = start; i < end; i++) g[i] += s[i];
      }
      for (let i = start; i < end; i++) sum += g[i] * g[i];
    }
    return sum;
  }
}

/**
 * √(Σ g²) over every gradient, or NaN/Infinity when any gradient is not finite
 * (the divergence guard relies on that). Cost: one pass, no allocation.
 */
export function gradientNorm(slots: readonly ParameterSlot[]): number {
  let sum = 0;
  for (const slot of slots) {
    const g = slot.gradient;
    for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  }
  return Math.sqrt(sum);
}

/** The factor that scales a gradient of norm `norm` down to maxNorm (1 when already within, or maxNorm ≤ 0 = off). */
export function clipScale(norm: number, maxNorm: number): number {
  return maxNorm > 0 && norm > maxNorm ? maxNorm / norm : 1;
}

/** Splits [0, size) into `parts` contiguous ranges of nearly equal length. */
export function splitRange(size: number, parts: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (let p = 0; p < parts; p++) ranges.push([Math.floor((size * p) / parts), Math.floor((size * (p + 1)) / parts)]);
  return ranges;
}
