/**
 * A factorized output as a trained model carries it in
 * `model.metadata.outputClasses` (plain data, so the model file keeps it):
 * the class of every word and the class layer Z as C rows of H numbers, z [C].
 * Z is stored row by row so no metadata list outgrows the model file's
 * per-array limit (65,536 elements by default) for C·H beyond it.
 * A Model built with it reads it into `model.outputClasses`, and its
 * sessions then return log P(w|h) over every word (inference needs nothing else).
 */
export interface OutputClassesMetadata {
  readonly classCount: number;
  readonly classOf: readonly number[];
  /** Z: C rows of H numbers. */
  readonly weight: readonly (readonly number[])[];
  readonly bias: readonly number[];
}
