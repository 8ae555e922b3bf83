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
 * arrays per parameter (allocated once); a step allocates nothing.
 * SGD: v = μ·v + (g + λ·w); w -= lr·v (PyTorch's form).
 * Adam (AdamW when λ > 0): m = β₁m + (1−β₁)g; v = β₂v + (1−β₂)g²;
 * w -= lr·(m̂ / (√v̂ + ε) + λ·w), with bias-corrected m̂, v̂.
 */
export class Optimizer {
  readonly settings: Required<OptimizerSettings>;
  /** Steps taken (Adam's bias correction uses it). */
  stepCount = 0;
  private readonly slots: readonly ParameterSlot[];
  /** Per slot: SGD velocity or Adam first moment. */
  readonly first: Float32Array[];
  /** Per slot: Adam second moment (empty for SGD). */
  readonly second: Float32Array[];

  /** Allocates the moment arrays for the given parameters. */
  constructor(slots: readonly ParameterSlot[], settings: OptimizerSettings) {
    this.settings = {
      kind: settings.kind,
      momentum: settings.momentum ?? 0,
      weightDecay: settings.weightDecay ?? 0,
      beta1: settings.beta1 ?? 0.9,
      beta2: settings.beta2 ?? 0.999,
      epsilon: settings.epsilon ?? 1e-8,
    };
    this.slots = slots;
    const adam = settings.kind === 'adam';
    const usesFirst = adam || this.settings.momentum > 0;
    this.first = slots.map((slot) => new Float32Array(usesFirst ? slot.value.length : 0));
    this.second = slots.map((slot) => new Float32Array(adam ? slot.value.length : 0));
  }

  /** Applies one update with learning rate lr, scaling every gradient by gradientScale first (clipping). No allocation. */
  step(lr: number, gradientScale = 1): void {
    this.stepCount++;
    if (this.settings.kind === 'adam') this.adamStep(lr, gradientScale);
    else this.sgdStep(lr, gradientScale);
  }

  private sgdStep(lr: number, scale: number): void {
    const { momentum, weightDecay } = this.settings;
    this.slots.forEach((slot, k) => {
      const w = slot.value;
      const g = slot.gradient;
      const v = this.first[k];
      if (momentum > 0) {
        for (let i = 0; i < w.length; i++) {
          const velocity = momentum * v[i] + g[i] * scale + weightDecay * w[i];
          v[i] = velocity;
          w[i] -= lr * velocity;
        }
      } else {
        for (let i = 0; i < w.length; i++) w[i] -= lr * (g[i] * scale + weightDecay * w[i]);
      }
    });
  }

  private adamStep(lr: number, scale: number): void {
    const { beta1, beta2, epsilon, weightDecay } = this.settings;
    const correction1 = 1 - Math.pow(beta1, this.stepCount);
    const correction2 = 1 - Math.pow(beta2, this.stepCount);
    const stepSize = lr / correction1;
    const root2 = Math.sqrt(correction2);
    this.slots.forEach((slot, k) => {
      const w = slot.value;
      const g = slot.gradient;
      const m = this.first[k];
      const v = this.second[k];
      for (let i = 0; i < w.length; i++) {
        const gi = g[i] * scale;
        const mi = beta1 * m[i] + (1 - beta1) * gi;
        const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        w[i] -= stepSize * mi / (Math.sqrt(vi) / root2 + epsilon) + lr * weightDecay * w[i];
      }
    });
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
