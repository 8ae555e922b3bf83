/**
 * The output layer and its loss, over the rows (tokens) of one window. The
 * input is the top layer's (possibly dropped-out) h [rows × H].
 */
export interface HeadGraph {
  /**
   * Computes the output for every row and returns the sum of the per-row
   * losses; keeps what backward needs. Targets: token ids (softmax heads) or
   * [rows × outputSize] values (linear head). No allocation.
   */
  forward(input: Float32Array, targets: Int32Array | Float32Array, rows: number): number;
  /**
   * Writes ∂(scale · loss sum)/∂input into dInput [rows × H] and adds the
   * head's parameter gradients (also scaled). No allocation.
   */
  backward(dInput: Float32Array, rows: number, scale: number): void;
}
