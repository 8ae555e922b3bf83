import { isGru } from '../../cells/cell.ts';
import { describeLayers, isMixedStack, topHiddenSize } from '../../model/architecture.ts';
import type { Model } from '../../model/model.ts';
import { extrasOf } from '../model-extras.ts';
import { encodeOnnx } from './encode-onnx.ts';
import { onnxGateLayoutOf } from './onnx-gates.ts';
import { emptyAttribute, emptyTensor, OnnxAttributeType, OnnxDataType, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-model.ts';

/** The ONNX opset the writer targets (Split and Squeeze take their sizes and axes as inputs from opset 13). */
export const ONNX_EXPORT_OPSET = 17;
/** IR version 8 goes with opset 17. */
const IR_VERSION = 8;
const SEQUENCE = 'sequence';

/**
 * The ONNX graph of a model over a whole sequence, batch 1, as
 * torch.onnx.export lays out nn.Embedding → nn.LSTM/nn.GRU/nn.RNN → nn.Linear:
 * inputs `tokens` INT64 [sequence, 1] (embedding models) or `x` FLOAT
 * [sequence, 1, inputSize], and `h0` (and `c0` for LSTM) [numLayers, 1,
 * hiddenSize], the initial state (feed zeros for a fresh session's);
 * outputs `logits` (softmax head: the logits a step returns, before
 * softmax), `output` (linear head) or `y` (no head) [sequence, 1, width],
 * and the final `h_n` (and `c_n`). A stack whose layers differ in kind or
 * size (a mixed stack) has one state input per layer instead, `h0_l{l}`
 * [1, 1, H_l] (and `c0_l{l}` for an LSTM layer), and outputs `h_n_l{l}`
 * (and `c_n_l{l}`). One LSTM/GRU/RNN node per layer, each of its own kind, gates
 * reordered to ONNX's (LSTM i, o, f, c; GRU z, r, h); a GRU's two biases go
 * to Wb and Rb and its variant to linear_before_reset (1 for `gru`, 0 for
 * `gru-reset-before`), hard-sigmoid gates as activations [HardSigmoid, Tanh…]
 * with alpha 0.2, beta 0.5, per layer; quantized and f16 weights are written as f32
 * (dequantized). The vocabulary, tokenizer and metadata go to
 * metadata_props as JSON (model-extras.ts).
 * Cold path: copies every weight once.
 */
export function toOnnxModel(model: Model): OnnxModel {
  const a = model.architecture;
  const H = a.hiddenSize;
  const L = a.numLayers;
  const lstm = a.cell === 'lstm';
  // A mixed stack (layers of their own kind and size) cannot stack its states
  // into one [L, 1, H] tensor: each layer gets its own h0_l{l} / c0_l{l}.
  const mixed = isMixedStack(a);
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  const inputs: OnnxValueInfo[] = [];
  const node = (opType: string, name: string, nodeInputs: string[], outputs: string[], attributes: OnnxAttribute[] = []): void => {
    nodes.push({ name, opType, domain: '', inputs: nodeInputs, outputs, attributes });
  };

  let layerInput: string;
  if (model.embedding !== null) {
    inputs.push({ name: 'tokens', elemType: OnnxDataType.INT64, shape: [SEQUENCE, 1] });
    initializers.push(floatTensor('embedding.weight', [a.vocabSize, a.inputSize], model.embedding.toFloat32()));
    node('Gather', 'embedding', ['embedding.weight', 'tokens'], ['embedded'], [intAttribute('axis', 0)]);
    layerInput = 'embedded';
  } else {
    inputs.push({ name: 'x', elemType: OnnxDataType.FLOAT, shape: [SEQUENCE, 1, a.inputSize] });
    layerInput = 'x';
  }

  const stateNames = mixed ? [] : lstm ? ['h0', 'c0'] : ['h0'];
  if (mixed) {
    model.layers.forEach((layer, l) => {
      inputs.push({ name: `h0_l${l}`, elemType: OnnxDataType.FLOAT, shape: [1, 1, layer.hiddenSize] });
      if (layer.kind === 'lstm') inputs.push({ name: `c0_l${l}`, elemType: OnnxDataType.FLOAT, shape: [1, 1, layer.hiddenSize] });
    });
  }
  for (const state of stateNames) {
    // Required inputs, as torch.onnx.export makes them: ONNX Runtime ignores a
    // fed value when an initializer of the same name gives a default (measured, 1.30).
    inputs.push({ name: state, elemType: OnnxDataType.FLOAT, shape: [L, 1, H] });
    if (L > 1) {
      initializers.push(int64Tensor(`${state}.split`, [L], new Array<number>(L).fill(1)));
      node('Split', `${state}_per_layer`, [state, `${state}.split`], range(L).map((l) => `${state}_l${l}`), [intAttribute('axis', 0)]);
    }
  }
  const stateOf = (state: string, l: number): string => (L > 1 || mixed ? `${state}_l${l}` : state);
  initializers.push(int64Tensor('axes.direction', [1], [1]));

  model.layers.forEach((layer, l) => {
    // Each layer its own kind and size (the same as layer 0's in a plain stack).
    const H = layer.hiddenSize;
    const kind = layer.kind;
    const lstm = kind === 'lstm';
    const gru = isGru(kind);
    const gates = onnxGateLayoutOf(kind);
    const gateCount = gates.gateCount;
    const I = layer.inputSize;
    const rows = gateCount * H;
    const fused = layer.weight.toFloat32(); // [rows × (I + H)]
    const W = new Float32Array(rows * I);
    const R = new Float32Array(rows * H);
    // [Wb | Rb]: an LSTM's or RNN's fused bias goes to Wb (Rb zero); a GRU's b_ih to Wb, b_hh to Rb.
    const B = new Float32Array(2 * rows);
    for (let j = 0; j < gateCount; j++) {
      const ours = gates.ourBlockOfOnnx[j];
      for (let u = 0; u < H; u++) {
        const from = (ours * H + u) * (I + H);
        const to = j * H + u;
        W.set(fused.subarray(from, from + I), to * I);
        R.set(fused.subarray(from + I, from + I + H), to * H);
        B[to] = layer.bias[ours * H + u];
        if (gru) B[rows + to] = layer.bias[rows + ours * H + u];
      }
    }
    initializers.push(floatTensor(`layers.${l}.W`, [1, rows, I], W), floatTensor(`layers.${l}.R`, [1, rows, H], R), floatTensor(`layers.${l}.B`, [1, 2 * rows], B));
    const attributes = [intAttribute('hidden_size', H)];
    if (gru) attributes.push(intAttribute('linear_before_reset', kind === 'gru' ? 1 : 0));
    else if (!lstm) attributes.push(stringsAttribute('activations', [kind === 'rnn-relu' ? 'Relu' : 'Tanh']));
    if (layer.gateActivation === 'hard-sigmoid') {
      // f = HardSigmoid with its parameters written out (they are also its defaults): clip(0.2x + 0.5, 0, 1).
      attributes.push(stringsAttribute('activations', lstm ? ['HardSigmoid', 'Tanh', 'Tanh'] : ['HardSigmoid', 'Tanh']));
      attributes.push(floatsAttribute('activation_alpha', [0.2]), floatsAttribute('activation_beta', [0.5]));
    }
    const finalH = mixed ? `h_n_l${l}` : L > 1 ? `layers.${l}.h_n` : 'h_n';
    const finalC = mixed ? `c_n_l${l}` : L > 1 ? `layers.${l}.c_n` : 'c_n';
    node(
      gates.opType,
      `layers.${l}`,
      lstm ? [layerInput, `layers.${l}.W`, `layers.${l}.R`, `layers.${l}.B`, '', stateOf('h0', l), stateOf('c0', l)] : [layerInput, `layers.${l}.W`, `layers.${l}.R`, `layers.${l}.B`, '', stateOf('h0', l)],
      lstm ? [`layers.${l}.Y`, finalH, finalC] : [`layers.${l}.Y`, finalH],
      attributes,
    );
    // Y is [sequence, num_directions = 1, 1, H]; the next layer wants [sequence, 1, H].
    node('Squeeze', `layers.${l}.squeeze`, [`layers.${l}.Y`, 'axes.direction'], [`layers.${l}.output`]);
    layerInput = `layers.${l}.output`;
  });
  if (L > 1 && !mixed) {
    node('Concat', 'h_n', range(L).map((l) => `layers.${l}.h_n`), ['h_n'], [intAttribute('axis', 0)]);
    if (lstm) node('Concat', 'c_n', range(L).map((l) => `layers.${l}.c_n`), ['c_n'], [intAttribute('axis', 0)]);
  }

  let mainName = 'y';
  let width = topHiddenSize(a);
  if (model.head !== null) {
    const H = topHiddenSize(a); // the head reads the top layer
    const V = a.outputSize;
    const weight = model.head.weight.toFloat32(); // [V × H]
    const transposed = new Float32Array(H * V);
    for (let v = 0; v < V; v++) for (let h = 0; h < H; h++) transposed[h * V + v] = weight[v * H + h];
    initializers.push(floatTensor('head.weight_t', [H, V], transposed), floatTensor('head.bias', [V], model.head.bias.slice()));
    mainName = model.head.kind === 'softmax' ? 'logits' : 'output';
    node('MatMul', 'head.matmul', [layerInput, 'head.weight_t'], ['head.product']);
    node('Add', 'head.add', ['head.product', 'head.bias'], [mainName]);
    width = V;
  } else {
    node('Identity', 'y', [layerInput], ['y']);
  }
  const outputs: OnnxValueInfo[] = [{ name: mainName, elemType: OnnxDataType.FLOAT, shape: [SEQUENCE, 1, width] }];
  if (mixed) {
    model.layers.forEach((layer, l) => {
      outputs.push({ name: `h_n_l${l}`, elemType: OnnxDataType.FLOAT, shape: [1, 1, layer.hiddenSize] });
      if (layer.kind === 'lstm') outputs.push({ name: `c_n_l${l}`, elemType: OnnxDataType.FLOAT, shape: [1, 1, layer.hiddenSize] });
    });
  } else {
    outputs.push({ name: 'h_n', elemType: OnnxDataType.FLOAT, shape: [L, 1, H] });
    if (lstm) outputs.push({ name: 'c_n', elemType: OnnxDataType.FLOAT, shape: [L, 1, H] });
  }

  return {
    irVersion: IR_VERSION,
    opsetImports: [{ domain: '', version: ONNX_EXPORT_OPSET }],
    producerName: 'lstm-stream',
    producerVersion: '',
    docString: `${a.numLayers}-layer ${mixed ? `stack (${describeLayers(a)})` : a.cell}, ${a.input} input, ${a.head} head, exported by lstm-stream`,
    graph: { name: 'lstm_stream_model', nodes, initializers, inputs, outputs, valueInfo: [] },
    metadataProps: Object.entries(extrasOf(model)).map(([key, value]) => ({ key, value })),
  };
}

/** {@link toOnnxModel} encoded as ONNX bytes (a .onnx file). Cold path. */
export function exportOnnx(model: Model): Uint8Array {
  return encodeOnnx(toOnnxModel(model));
}

function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  const tensor = emptyTensor();
  tensor.name = name;
  tensor.dims = dims;
  tensor.dataType = OnnxDataType.FLOAT;
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
  tensor.rawData = raw;
  return tensor;
}

function int64Tensor(name: string, dims: number[], values: number[]): OnnxTensor {
  const tensor = emptyTensor();
  tensor.name = name;
  tensor.dims = dims;
  tensor.dataType = OnnxDataType.INT64;
  tensor.int64Data = values;
  return tensor;
}

function intAttribute(name: string, value: number): OnnxAttribute {
  return { ...emptyAttribute(), name, type: OnnxAttributeType.INT, i: value };
}

function floatsAttribute(name: string, values: number[]): OnnxAttribute {
  return { ...emptyAttribute(), name, type: OnnxAttributeType.FLOATS, floats: values };
}

function stringsAttribute(name: string, values: string[]): OnnxAttribute {
  const encoder = new TextEncoder();
  return { ...emptyAttribute(), name, type: OnnxAttributeType.STRINGS, strings: values.map((v) => encoder.encode(v)) };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
