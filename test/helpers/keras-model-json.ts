// Keras Layers model.json + weight shard files written by hand, as
// tensorflowjs_converter writes them for a Keras 2 Sequential: for what
// TensorFlow.js cannot build (GRU reset_after true) and for tests that run
// without TensorFlow.js (the hostile-input loops).

/** One recurrent layer of a hand-written stack. */
export interface KerasRecurrent {
  readonly className: 'LSTM' | 'GRU' | 'SimpleRNN';
  readonly units: number;
  readonly activation?: string;
  readonly recurrentActivation?: string;
  /** GRU only. */
  readonly resetAfter?: boolean;
}

/** A Sequential: [Embedding vocab × size | dense input of inputSize] → recurrent layers → [Dense]. */
export interface KerasStack {
  readonly embedding?: { readonly vocabSize: number; readonly size: number };
  readonly inputSize?: number;
  readonly recurrent: readonly KerasRecurrent[];
  readonly dense?: { readonly units: number; readonly activation: 'softmax' | 'linear' };
}

/** model.json text, one shard, and every weight by name (Keras layout). */
export interface KerasFiles {
  readonly json: string;
  readonly shards: Uint8Array[];
  readonly weights: Record<string, Float32Array>;
}

/** A deterministic pseudo-random sequence in [0, 1). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The stack's files, weights drawn uniformly in [−0.8, 0.8] from `seed`. */
export function kerasModelFiles(stack: KerasStack, seed: number): KerasFiles {
  const next = random(seed);
  const specs: { name: string; shape: number[] }[] = [];
  const layers: unknown[] = [];
  let width = stack.embedding?.size ?? stack.inputSize ?? 1;
  if (stack.embedding !== undefined) {
    layers.push({ class_name: 'Embedding', config: { name: 'embedding', input_dim: stack.embedding.vocabSize, output_dim: stack.embedding.size, mask_zero: false, batch_input_shape: [null, null], dtype: 'float32' } });
    specs.push({ name: 'embedding/embeddings', shape: [stack.embedding.vocabSize, stack.embedding.size] });
  } else {
    layers.push({ class_name: 'InputLayer', config: { name: 'input', batch_input_shape: [null, null, width], dtype: 'float32', sparse: false, ragged: false } });
  }
  stack.recurrent.forEach((layer, l) => {
    const name = `${layer.className.toLowerCase()}${l === 0 ? '' : `_${l}`}`;
    const gates = layer.className === 'LSTM' ? 4 : layer.className === 'GRU' ? 3 : 1;
    const H = layer.units;
    const config: Record<string, unknown> = {
      name,
      trainable: true,
      dtype: 'float32',
      return_sequences: true,
      return_state: false,
      go_backwards: false,
      stateful: false,
      unroll: false,
      time_major: false,
      units: H,
      activation: layer.activation ?? 'tanh',
      use_bias: true,
      dropout: 0.1,
      recurrent_dropout: 0,
    };
    if (layer.className !== 'SimpleRNN') config.recurrent_activation = layer.recurrentActivation ?? 'sigmoid';
    if (layer.className === 'GRU') config.reset_after = layer.resetAfter ?? true;
    if (layer.className === 'LSTM') config.unit_forget_bias = true;
    layers.push({ class_name: layer.className, config });
    const cell = `${name}/${layer.className === 'SimpleRNN' ? 'simple_rnn' : layer.className.toLowerCase()}_cell${l === 0 ? '' : `_${l}`}`;
    specs.push({ name: `${cell}/kernel`, shape: [width, gates * H] }, { name: `${cell}/recurrent_kernel`, shape: [H, gates * H] });
    specs.push({ name: `${cell}/bias`, shape: layer.className === 'GRU' && (layer.resetAfter ?? true) ? [2, gates * H] : [gates * H] });
    width = H;
  });
  if (stack.dense !== undefined) {
    layers.push({ class_name: 'Dense', config: { name: 'dense', trainable: true, dtype: 'float32', units: stack.dense.units, activation: stack.dense.activation, use_bias: true } });
    specs.push({ name: 'dense/kernel', shape: [width, stack.dense.units] }, { name: 'dense/bias', shape: [stack.dense.units] });
  }
  const weights: Record<string, Float32Array> = {};
  for (const spec of specs) weights[spec.name] = Float32Array.from({ length: spec.shape.reduce((a, b) => a * b, 1) }, () => 1.6 * next() - 0.8);
  const json = JSON.stringify({
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 'sequential', layers } } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: specs.map((s) => ({ ...s, dtype: 'float32' })) }],
  });
  const shard = new Uint8Array(specs.reduce((n, s) => n + 4 * weights[s.name].length, 0));
  let at = 0;
  for (const spec of specs) {
    shard.set(new Uint8Array(weights[spec.name].buffer), at);
    at += 4 * weights[spec.name].length;
  }
  return { json, shards: [shard], weights };
}
