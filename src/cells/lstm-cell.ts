import { hardSigmoid, sigmoid } from '../math/activations.ts';
import type { WeightMatrix } from '../math/matrix.ts';
import { GATE_ACTIVATIONS, type GateActivation, type RecurrentCell } from './cell.ts';

/**
 * A standard LSTM layer (no peepholes), with PyTorch's equations and gate
 * order. The fused matrix W [4H × (I + H)] stacks four blocks of H rows:
 *
 *   rows [0, H)   i  input gate        i = σ(W_i·[x; h] + b_i)
 *   rows [H, 2H)  f  forget gate       f = σ(W_f·[x; h] + b_f)
 *   rows [2H, 3H) g  cell candidate    g = tanh(W_g·[x; h] + b_g)
 *   rows [3H, 4H) o  output gate       o = σ(W_o·[x; h] + b_o)
 *
 *   C' = f ⊙ C + i ⊙ g,   h' = o ⊙ tanh(C')
 *
 * σ is the gate activation: the logistic sigmoid, or the hard sigmoid
 * clip(0.2·x + 0.5, 0, 1) (TensorFlow.js's default).
 *
 * This i, f, g, o order is the one the whole library uses (model files,
 * trainer, importers); ONNX's i, o, f, c order is converted on import.
 * Step cost: 4H·(I + H) multiply-adds plus 5H transcendentals; no allocation.
 */
export class LstmCell implements RecurrentCell {
  readonly kind = 'lstm';
  readonly gateCount = 4;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly weight: WeightMatrix;
  readonly bias: Float32Array;
  readonly gateActivation: GateActivation;
  // The branch the step takes per gate, read once into a local (a boolean keeps the call sites monomorphic).
  private readonly hardGates: boolean;

  /** Holds (does not copy) weight [4H × (I + H)] and bias [4H]. */
  constructor(inputSize: number, hiddenSize: number, weight: WeightMatrix, bias: Float32Array, gateActivation: GateActivation = 'sigmoid') {
    checkCellShapes('LstmCell', 4, inputSize, hiddenSize, weight, bias);
    checkGateActivation('LstmCell', gateActivation);
    this.gateActivation = gateActivation;
    this.hardGates = gateActivation === 'hard-sigmoid';
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.weight = weight;
    this.bias = bias;
  }

  stepInto(h: Float32Array, c: Float32Array | null, xh: Float32Array, gates: Float32Array): Float32Array {
    const H = this.hiddenSize;
    const cell = c as Float32Array;
    const hard = this.hardGates;
    this.weight.multiplyInto(gates, xh, 0, this.bias);
    for (let j = 0; j < H; j++) {
      const inputGate = hard ? hardSigmoid(gates[j]) : sigmoid(gates[j]);
      const forgetGate = hard ? hardSigmoid(gates[H + j]) : sigmoid(gates[H + j]);
      const candidate = Math.tanh(gates[2 * H + j]);
      const outputGate = hard ? hardSigmoid(gates[3 * H + j]) : sigmoid(gates[3 * H + j]);
      const cNext = forgetGate * cell[j] + inputGate * candidate;
      cell[j] = cNext;
      h[j] = outputGate * Math.tanh(cNext);
    }
    return h;
  }
}

/** Throws RangeError for a gate activation that is not one of GATE_ACTIVATIONS (a programming error; files and importers check first). */
export function checkGateActivation(name: string, gateActivation: GateActivation): void {
  if (!GATE_ACTIVATIONS.includes(gateActivation)) {
    throw new RangeError(`${name}: gateActivation is ${JSON.stringify(gateActivation)}; expected ${GATE_ACTIVATIONS.join(' or ')}`);
  }
}

/** Throws RangeError when a cell's tensors disagree with its sizes (a programming error, cold path). */
export function checkCellShapes(
  name: string,
  gateCount: number,
  inputSize: number,
  hiddenSize: number,
  weight: WeightMatrix,
  bias: Float32Array,
  biasLength: number = gateCount * hiddenSize,
): void {
  if (!(Number.isInteger(inputSize) && inputSize > 0 && Number.isInteger(hiddenSize) && hiddenSize > 0)) {
    throw new RangeError(`${name}: inputSize ${inputSize} and hiddenSize ${hiddenSize} must be positive integers`);
  }
  const rows = gateCount * hiddenSize;
  const cols = inputSize + hiddenSize;
  if (weight.rows !== rows || weight.cols !== cols) {
    throw new RangeError(`${name}: weight is [${weight.rows} × ${weight.cols}], expected [${rows} × ${cols}]`);
  }
  if (bias.length !== biasLength) {
    throw new RangeError(`${name}: bias has ${bias.length} elements, expected ${biasLength}`);
  }
}
