/** A parameter tensor as TrainableModel.parameters gives it: its name and its live values. */
export interface ParameterValues {
  readonly name: string;
  readonly value: Float32Array;
}

/** What {@link centralDifferences} found. */
export interface DifferenceCheck {
  /** Elements compared. */
  readonly checked: number;
  /** The largest |numeric − analytic|. */
  readonly worst: number;
  /** One line per element outside the tolerance (empty when all agree). */
  readonly failures: string[];
}

/**
 * Compares analytic gradients with central differences, (loss(w + ε) −
 * loss(w − ε)) / 2ε with ε = 1e-3 (small enough not to cross a ReLU kink or a
 * hard-sigmoid clip at the tests' weights, large enough for float32 storage),
 * at the elements `indicesOf` picks in each tensor, restoring every weight
 * after. An element agrees when |numeric − analytic| < 2e-3 + 2e-2·|numeric|.
 * `lossOf` recomputes the loss from the live weights.
 */
export function centralDifferences(
  parameters: readonly ParameterValues[],
  analytic: ReadonlyMap<string, Float32Array>,
  lossOf: () => number,
  indicesOf: (name: string, gradient: Float32Array) => Iterable<number>,
): DifferenceCheck {
  const eps = 1e-3;
  let checked = 0;
  let worst = 0;
  const failures: string[] = [];
  for (const slot of parameters) {
    const expected = analytic.get(slot.name);
    if (expected === undefined) throw new Error(`no analytic gradient for ${slot.name}`);
    for (const i of indicesOf(slot.name, expected)) {
      const numeric = centralDifference(slot.value, i, lossOf, eps);
      const difference = Math.abs(numeric - expected[i]);
      worst = Math.max(worst, difference);
      if (!(difference < 2e-3 + 2e-2 * Math.abs(numeric))) failures.push(`${slot.name}[${i}] numeric ${numeric} analytic ${expected[i]}`);
      checked++;
    }
  }
  return { checked, worst, failures };
}

/** The indices of a gradient's n largest magnitudes, largest first. */
export function largestIndices(gradient: Float32Array, n: number): number[] {
  return Array.from(gradient.keys())
    .sort((x, y) => Math.abs(gradient[y]) - Math.abs(gradient[x]))
    .slice(0, n);
}

/**
 * (loss(w + ε) − loss(w − ε)) / 2ε for the element `index` of `values`, which
 * it restores after. `lossOf` recomputes the loss from the live weights.
 */
export function centralDifference(values: Float32Array, index: number, lossOf: () => number, eps: number): number {
  const saved = values[index];
  values[index] = saved + eps;
  const plus = lossOf();
  values[index] = saved - eps;
  const minus = lossOf();
  values[index] = saved;
  return (plus - minus) / (2 * eps);
}
