/**
 * Frequency classes for a factorized softmax (Mikolov et al., "Extensions of
 * recurrent neural network language model", 2011): every word belongs to one
 * class, and
 *
 *   P(w | h) = P(class(w) | h) · P(w | class(w), h)
 *
 * with one softmax over the C classes and one over the words of class(w)
 * only. Training a token costs C·H + |class(w)|·H multiply-adds instead of
 * V·H. Plain data; made once, cold path.
 */
export interface OutputClasses {
  readonly vocabSize: number;
  readonly classCount: number;
  /** classOf[w] = the class of word w [V]. */
  readonly classOf: Int32Array;
  /** Word ids grouped by class [V]: class c's words are members[classStart[c] … classStart[c+1]). */
  readonly members: Int32Array;
  /** [C + 1] offsets into members. */
  readonly classStart: Int32Array;
}

/**
 * Assigns words to `classCount` classes by cumulative √frequency, most
 * frequent first (rnnlm's default is plain frequency; the square root gives
 * classes of more even size, so the largest class, which bounds the cost of
 * a step, stays small). Words never seen count as frequency 0 and land in the
 * last class. Every class gets at least one word when classCount ≤ V.
 * Cost: O(V log V), allocates 3 small integer arrays.
 */
export function createFrequencyClasses(counts: ArrayLike<number>, classCount: number): OutputClasses {
  const V = counts.length;
  if (!(Number.isInteger(classCount) && classCount >= 1 && classCount <= V)) {
    throw new RangeError(`classCount ${classCount} must be an integer in [1, ${V}] (the vocabulary size)`);
  }
  const order = Array.from({ length: V }, (_, w) => w).sort((a, b) => counts[b] - counts[a] || a - b);
  let total = 0;
  for (const w of order) total += Math.sqrt(Math.max(0, counts[w]));
  const classOf = new Int32Array(V);
  let cumulative = 0;
  let current = 0;
  order.forEach((w, rank) => {
    cumulative += Math.sqrt(Math.max(0, counts[w]));
    classOf[w] = current;
    const remainingWords = V - rank - 1;
    const remainingClasses = classCount - current - 1;
    // Move on when this class has its share of the mass, or when the words left are just enough for one each.
    if (remainingClasses > 0 && (total === 0 || cumulative / total >= (current + 1) / classCount || remainingWords <= remainingClasses)) {
      current++;
    }
  });
  return classesFromAssignment(classOf, classCount);
}

/** Builds the member lists of a class assignment classOf[w] ∈ [0, classCount). Cost: O(V). */
export function classesFromAssignment(classOf: Int32Array, classCount: number): OutputClasses {
  const V = classOf.length;
  const classStart = new Int32Array(classCount + 1);
  for (let w = 0; w < V; w++) {
    const c = classOf[w];
    if (!(Number.isInteger(c) && c >= 0 && c < classCount)) throw new RangeError(`classOf[${w}] is ${c}, outside [0, ${classCount})`);
    classStart[c + 1]++;
  }
  for (let c = 0; c < classCount; c++) classStart[c + 1] += classStart[c];
  const fill = classStart.slice(0, classCount);
  const members = new Int32Array(V);
  for (let w = 0; w < V; w++) members[fill[classOf[w]]++] = w;
  return { vocabSize: V, classCount, classOf, members, classStart };
}

/** Size of the largest class: the per-token cost of the word softmax is this × H. */
export function largestClassSize(classes: OutputClasses): number {
  let largest = 0;
  for (let c = 0; c < classes.classCount; c++) largest = Math.max(largest, classes.classStart[c + 1] - classes.classStart[c]);
  return largest;
}
