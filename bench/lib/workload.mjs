// The one workload every peer runs: an LSTM stack (or, for the GRU section,
// a GRU stack of either variant; input size = hidden size H, batch 1, state
// carried between steps) with the library's seeded random weights, fed a
// fixed ring of input vectors.

/** Number of distinct input vectors; step t reads inputs[t mod INPUT_RING]. */
export const INPUT_RING = 64;
/** Steps from the zero state whose top-layer h every peer must reproduce before it is timed. */
export const VERIFY_STEPS = 8;

/** The architecture of a benchmark model; cell: 'lstm' (the default), 'gru' or 'gru-reset-before'. */
export function benchArchitecture(hiddenSize, numLayers, cell = 'lstm') {
  return { cell, input: 'dense', vocabSize: 0, inputSize: hiddenSize, hiddenSize, numLayers, head: 'none', outputSize: 0 };
}

/** The seed of a benchmark model: depends on its size only, so every peer sees the same weights. */
export function benchSeed(hiddenSize, numLayers) {
  return 1000 * numLayers + hiddenSize;
}

/** The input ring: INPUT_RING vectors of length inputSize, values in (-1, 1). */
export function benchInputs(inputSize) {
  const inputs = [];
  for (let t = 0; t < INPUT_RING; t++) {
    const x = new Float32Array(inputSize);
    for (let i = 0; i < inputSize; i++) x[i] = Math.sin(0.37 * t + 0.11 * i + 0.05 * t * i);
    inputs.push(x);
  }
  return inputs;
}

/**
 * The weights as plain arrays per layer: W [4H × (I + H)] fused row-major in
 * gate order i, f, g, o (the library's), and the fused bias [4H].
 */
export function layerWeights(library, model) {
  const dict = library.toTorchStateDict(model);
  return model.layers.map((layer, l) => ({
    inputSize: layer.inputSize,
    hiddenSize: layer.hiddenSize,
    weightIh: dict[`weight_ih_l${l}`].data, // [4H × I]
    weightHh: dict[`weight_hh_l${l}`].data, // [4H × H]
    bias: dict[`bias_ih_l${l}`].data, // [4H], bias_hh is zero
  }));
}

/**
 * A GRU model's weights as plain arrays per layer, from the cell's fused
 * W [3H × (I + H)] (gate order r, z, n, the library's) and bias [6H] =
 * [b_ih | b_hh]: weightIh [3H × I], weightHh [3H × H], biasIh [3H], biasHh
 * [3H], and resetAfter (true for cell `gru`, false for `gru-reset-before`).
 */
export function gruLayerWeights(model) {
  return model.layers.map((layer) => {
    const I = layer.inputSize;
    const H = layer.hiddenSize;
    const W = layer.weight.toFloat32();
    const weightIh = new Float32Array(3 * H * I);
    const weightHh = new Float32Array(3 * H * H);
    for (let r = 0; r < 3 * H; r++) {
      weightIh.set(W.subarray(r * (I + H), r * (I + H) + I), r * I);
      weightHh.set(W.subarray(r * (I + H) + I, (r + 1) * (I + H)), r * H);
    }
    return { inputSize: I, hiddenSize: H, weightIh, weightHh, biasIh: layer.bias.slice(0, 3 * H), biasHh: layer.bias.slice(3 * H, 6 * H), resetAfter: layer.kind === 'gru' };
  });
}

/** Multiply-adds of one step: Σ_l G·H·(I_l + H), G = 4 gates for an LSTM, 3 for a GRU. GFLOP/s counts 2 flops per multiply-add. */
export function multiplyAddsPerStep(hiddenSize, numLayers, gates = 4) {
  return numLayers * gates * hiddenSize * 2 * hiddenSize;
}
