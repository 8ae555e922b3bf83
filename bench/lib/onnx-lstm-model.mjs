// Writes an ONNX model (protobuf, by hand: no onnx package is needed) of an
// LSTM stack for one step: inputs X [1, 1, I] and h0_l, c0_l [1, 1, H] per
// layer; outputs h_l, c_l [1, 1, H]. One ONNX LSTM node per layer, layer l's
// Y_h feeding layer l+1 as its X (both [1, 1, H]).

const FLOAT = 1;

function varint(value) {
  const bytes = [];
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0n);
  return bytes;
}

const key = (field, wire) => varint((field << 3) | wire);
const int = (field, value) => [...key(field, 0), ...varint(value)];
function bytes(field, content) {
  const data = content instanceof Uint8Array ? Array.from(content) : content;
  return [...key(field, 2), ...varint(data.length), ...data];
}
const string = (field, text) => bytes(field, Array.from(new TextEncoder().encode(text)));

export function tensor(name, dims, values) {
  return [
    ...dims.flatMap((d) => int(1, d)),
    ...int(2, FLOAT),
    ...string(8, name),
    ...bytes(9, new Uint8Array(values.buffer, values.byteOffset, values.byteLength)),
  ];
}

export function valueInfo(name, dims) {
  const shape = dims.flatMap((d) => bytes(1, int(1, d)));
  const tensorType = [...int(1, FLOAT), ...bytes(2, shape)];
  return [...string(1, name), ...bytes(2, bytes(1, tensorType))];
}

export function node(opType, name, inputs, outputs, attributes) {
  return [
    ...inputs.flatMap((input) => string(1, input)),
    ...outputs.flatMap((output) => string(2, output)),
    ...string(3, name),
    ...string(4, opType),
    ...attributes.flatMap((a) => bytes(5, [...string(1, a.name), ...int(3, a.value), ...int(20, 2 /* INT */)])),
  ];
}

/** A ModelProto (IR version 8, opset 17) of one graph from encoded nodes, initializers and value infos. */
export function modelBytes(graphName, nodes, initializers, inputs, outputs) {
  const graph = [
    ...nodes.flatMap((n) => bytes(1, n)),
    ...string(2, graphName),
    ...initializers.flatMap((t) => bytes(5, t)),
    ...inputs.flatMap((v) => bytes(11, v)),
    ...outputs.flatMap((v) => bytes(12, v)),
  ];
  const model = [...int(1, 8), ...string(2, 'lstm-stream bench'), ...bytes(7, graph), ...bytes(8, [...string(1, ''), ...int(2, 17)])];
  return new Uint8Array(model);
}

/**
 * The model bytes for layers of { inputSize, hiddenSize, weightIh [4H×I],
 * weightHh [4H×H], bias [4H] } in gate order i, f, g, o; ONNX wants i, o, f, c.
 */
export function onnxLstmModel(layers) {
  const H = layers[0].hiddenSize;
  const order = [0, 3, 1, 2]; // ONNX block k takes our block order[k]
  const nodes = [];
  const initializers = [];
  const inputs = [valueInfo('X', [1, 1, layers[0].inputSize])];
  const outputs = [];
  layers.forEach((w, l) => {
    const I = w.inputSize;
    const W = new Float32Array(4 * H * I);
    const R = new Float32Array(4 * H * H);
    const B = new Float32Array(8 * H); // Wb then Rb; Rb stays zero
    for (let k = 0; k < 4; k++) {
      const from = order[k] * H;
      W.set(w.weightIh.subarray(from * I, (from + H) * I), k * H * I);
      R.set(w.weightHh.subarray(from * H, (from + H) * H), k * H * H);
      B.set(w.bias.subarray(from, from + H), k * H);
    }
    initializers.push(tensor(`W${l}`, [1, 4 * H, I], W), tensor(`R${l}`, [1, 4 * H, H], R), tensor(`B${l}`, [1, 8 * H], B));
    inputs.push(valueInfo(`h0_${l}`, [1, 1, H]), valueInfo(`c0_${l}`, [1, 1, H]));
    outputs.push(valueInfo(`h_${l}`, [1, 1, H]), valueInfo(`c_${l}`, [1, 1, H]));
    const x = l === 0 ? 'X' : `h_${l - 1}`;
    nodes.push(node('LSTM', `lstm${l}`, [x, `W${l}`, `R${l}`, `B${l}`, '', `h0_${l}`, `c0_${l}`], ['', `h_${l}`, `c_${l}`], [{ name: 'hidden_size', value: H }]));
  });
  return modelBytes('lstm_step', nodes, initializers, inputs, outputs);
}
