import { isGru, type CellKind } from '../../cells/cell.ts';

/**
 * How ONNX lays out the gate blocks of a cell kind against ours, both ways:
 * `onnxBlockOfOurs[k]` is the ONNX block that holds our block k (import),
 * `ourBlockOfOnnx[j]` our block in ONNX block j (export). ONNX stacks LSTM
 * blocks i, o, f, c (ours i, f, g, o) and GRU blocks z, r, h (ours r, z, n:
 * PyTorch's); an RNN has one block. Kept in one place so the importer and
 * the exporter cannot disagree. Cost: none (constant tables).
 */
export interface OnnxGateLayout {
  /** The ONNX operator: `LSTM`, `GRU` or `RNN`. */
  readonly opType: 'LSTM' | 'GRU' | 'RNN';
  readonly gateCount: number;
  readonly onnxBlockOfOurs: readonly number[];
  readonly ourBlockOfOnnx: readonly number[];
}

const LSTM: OnnxGateLayout = { opType: 'LSTM', gateCount: 4, onnxBlockOfOurs: [0, 2, 3, 1], ourBlockOfOnnx: [0, 3, 1, 2] };
// z, r, h ↔ r, z, n swaps the first two blocks, so the map is its own inverse.
const GRU: OnnxGateLayout = { opType: 'GRU', gateCount: 3, onnxBlockOfOurs: [1, 0, 2], ourBlockOfOnnx: [1, 0, 2] };
const RNN: OnnxGateLayout = { opType: 'RNN', gateCount: 1, onnxBlockOfOurs: [0], ourBlockOfOnnx: [0] };

/** The ONNX gate layout of one of our cell kinds. */
export function onnxGateLayoutOf(kind: CellKind): OnnxGateLayout {
  return kind === 'lstm' ? LSTM : isGru(kind) ? GRU : RNN;
}
