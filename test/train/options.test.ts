import { describe, expect, it } from 'vitest';
import { createRandomModel, SeededRandom, type Architecture, type Model } from '../../src/index.ts';
import { createFrequencyClasses, largestClassSize, resolveTrainOptions, train, type TrainEvent, type TrainRun } from '../../src/train/index.ts';

const V = 12;
function data(seed: number, length: number) {
  const random = new SeededRandom(seed);
  const s = new Int32Array(length + 1);
  for (let t = 0; t < s.length; t++) s[t] = random.next() < 0.7 ? (t * 3) % V : random.integer(V);
  return { inputs: s.subarray(0, length), targets: s.subarray(1), inputWidth: 1, targetWidth: 1 };
}
/**
 * One epoch of `run` three times: without the option, with it set to 0 and
 * with it set to `value` — the three runs a regulariser's test compares.
 */
async function plainOffOn(model: Model, run: TrainRun, option: 'inputDropout' | 'recurrentDropout' | 'embeddingDropout', value: number) {
  return { plain: await train(model, run), off: await train(model, { ...run, [option]: 0 }), on: await train(model, { ...run, [option]: value }) };
}

const lm = (cell: Architecture['cell'], hiddenSize = 12, inputSize = 8): Architecture => ({
  cell,
  input: 'embedding',
  vocabSize: V,
  inputSize,
  hiddenSize,
  numLayers: 1,
  head: 'softmax',
  outputSize: V,
});

describe('divergence guard', () => {
  it('rolls back to the epoch start with half the learning rate, reports the step, and ends finite', async () => {
    const model = createRandomModel(lm('rnn-relu'), { seed: 5 });
    const events: TrainEvent[] = [];
    const result = await train(model, { train: data(1, 2400), batchSize: 4, window: 10, epochs: 2, optimizer: 'sgd', learningRate: 10, clipNorm: 0, onEvent: (e) => events.push(e) });
    const diverged = events.filter((e) => e.kind === 'diverged');
    // How many roll-backs a chaotic run needs depends on the last bits of its sums (the relaxed-SIMD
    // kernel of Deno and Bun rounds differently from Node 20's plain one): at least one, each reported.
    expect(result.divergences).toBeGreaterThanOrEqual(1);
    expect(result.divergences).toBeLessThanOrEqual(5);
    expect(diverged).toHaveLength(result.divergences);
    expect(diverged[0].message).toMatch(/non-finite .* at epoch 1, window \d+ \(step \d+\); rolled back .* learning rate 5$/);
    const inFirstEpoch = diverged.filter((e) => /at epoch 1,/.test(e.message)).length;
    expect(inFirstEpoch).toBeGreaterThan(0);
    expect(result.history[0].learningRate).toBe(10 / 2 ** inFirstEpoch);
    expect(Number.isFinite(result.history[1].trainLoss)).toBe(true);
    // A Model cannot hold a non-finite weight, so the returned one is proof enough; check anyway.
    expect(result.model.embedding!.findNonFinite()).toBe(-1);
  });

  it('gives up with TRAINING_DIVERGED after maxRollbacks', async () => {
    const model = createRandomModel(lm('rnn-relu'), { seed: 5 });
    await expect(
      train(model, { train: data(1, 2400), batchSize: 4, window: 10, epochs: 2, optimizer: 'sgd', learningRate: 1e10, clipNorm: 0, maxRollbacks: 2 }),
    ).rejects.toMatchObject({ code: 'TRAINING_DIVERGED', message: expect.stringMatching(/epoch 1, window \d+, 2 roll-backs/) });
  });
});

describe('options', () => {
  it('clipping bounds the update: one SGD step moves the weights by at most lr · clipNorm', async () => {
    const model = createRandomModel(lm('lstm'), { seed: 5 });
    const result = await train(model, { train: data(1, 400), batchSize: 4, window: 10, epochs: 1, maxWindowsPerEpoch: 1, optimizer: 'sgd', learningRate: 1, clipNorm: 0.01, patience: 0 });
    let squared = 0;
    const before = [model.embedding!, ...model.layers.map((l) => l.weight), model.head!.weight].map((m) => m.toFloat32());
    const after = [result.model.embedding!, ...result.model.layers.map((l) => l.weight), result.model.head!.weight].map((m) => m.toFloat32());
    before.forEach((b, k) => b.forEach((v, i) => (squared += (after[k][i] - v) ** 2)));
    const biasMoves = [...model.layers.map((l, i) => [l.bias, result.model.layers[i].bias]), [model.head!.bias, result.model.head!.bias]];
    for (const [b, a] of biasMoves) b.forEach((v, i) => (squared += (a[i] - v) ** 2));
    expect(Math.sqrt(squared)).toBeLessThan(0.01 * 1.0001);
    expect(Math.sqrt(squared)).toBeGreaterThan(0.01 * 0.99); // the raw gradient norm is far above 0.01
  });

  it('weight tying trains one matrix for embedding and output', async () => {
    const model = createRandomModel(lm('lstm', 8, 8), { seed: 5 });
    const result = await train(model, { train: data(1, 1200), batchSize: 4, window: 10, epochs: 2, tie: true });
    expect(result.model.head!.weight).toBe(result.model.embedding);
    // The tied matrix counts once: embedding 12 × 8, the LSTM's [32 × 16] weight and 32 biases, the head's 12 biases.
    expect(result.model.parameterCount).toBe(12 * 8 + 32 * 16 + 32 + 12);
    expect(result.history[1].trainLoss).toBeLessThan(result.history[0].trainLoss);
    await expect(train(createRandomModel(lm('lstm', 12, 8)), { train: data(1, 400), batchSize: 4, tie: true })).rejects.toThrow(/tying needs/);
  });

  it('decays the learning rate when validation stops improving and stops early after `patience` epochs', async () => {
    const model = createRandomModel(lm('lstm'), { seed: 5 });
    const events: TrainEvent[] = [];
    // A validation set from other data (pure noise) stops improving almost at once.
    const random = new SeededRandom(8);
    const noise = Int32Array.from({ length: 401 }, () => random.integer(V));
    const result = await train(model, {
      train: data(1, 2400),
      validation: { inputs: noise.subarray(0, 400), targets: noise.subarray(1), inputWidth: 1, targetWidth: 1 },
      batchSize: 4,
      window: 10,
      epochs: 30,
      learningRate: 0.02,
      patience: 2,
      onEvent: (e) => events.push(e),
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.history.length).toBeLessThan(30);
    const decays = events.filter((e) => e.kind === 'lr-decay').length;
    expect(decays).toBeGreaterThanOrEqual(2);
    const rates = result.history.map((r) => r.learningRate);
    expect(rates[rates.length - 1]).toBeCloseTo(0.02 * 0.5 ** (decays - 1), 10);
  });

  it('lrDecayThreshold: a gain smaller than the threshold decays the rate but still keeps the best weights', async () => {
    const model = createRandomModel(lm('lstm'), { seed: 5 });
    const run = { train: data(1, 1600), validation: data(2, 400), batchSize: 4, window: 10, epochs: 4, learningRate: 0.01, patience: 0 };
    const plain = await train(model, run);
    // The validation loss falls every epoch here, so with no threshold the rate never decays …
    const losses = plain.history.map((r) => r.validLoss);
    losses.slice(1).forEach((loss, i) => expect(loss).toBeLessThan(losses[i]));
    expect(plain.history.map((r) => r.learningRate)).toEqual([0.01, 0.01, 0.01, 0.01]);
    // … while a threshold above every epoch's relative gain decays it after every epoch but the first
    // (the first always improves on Infinity; history records the rate each epoch ran with).
    const gains = losses.slice(1).map((loss, i) => Math.expm1(losses[i] - loss));
    const threshold = Math.min(0.9, Math.max(...gains) * 1.5);
    const events: TrainEvent[] = [];
    const strict = await train(model, { ...run, lrDecayThreshold: threshold, onEvent: (e) => events.push(e) });
    expect(strict.history.map((r) => r.learningRate)).toEqual([0.01, 0.01, 0.005, 0.0025]);
    expect(events.filter((e) => e.kind === 'lr-decay')[0].message).toMatch(/did not improve by \d+(\.\d+)?% on/);
    // The returned model is the best epoch's (the last one: the loss still fell).
    const best = strict.history.reduce((b, r) => (r.validLoss < b.validLoss ? r : b));
    expect(best.epoch).toBe(4);
    expect(() => resolveTrainOptions({ lrDecayThreshold: 1 })).toThrow(/option lrDecayThreshold is 1/);
  });

  it('input dropout (on the embedding output) changes the updates; with it off the run is unchanged', async () => {
    const model = createRandomModel(lm('lstm'), { seed: 5 });
    const run = { train: data(1, 800), batchSize: 4, window: 10, epochs: 1 };
    const { plain, off, on: dropped } = await plainOffOn(model, run, 'inputDropout', 0.5);
    expect(off.history[0].trainLoss).toBe(plain.history[0].trainLoss);
    expect(dropped.history[0].trainLoss).not.toBe(plain.history[0].trainLoss);
    expect(Array.from(dropped.model.embedding!.toFloat32())).not.toEqual(Array.from(plain.model.embedding!.toFloat32()));
    expect(() => resolveTrainOptions({ inputDropout: -0.1 })).toThrow(/option inputDropout is -0.1/);
  });

  it('recurrent dropout changes the updates; GRU layers and values outside [0, 1) are refused', async () => {
    const model = createRandomModel(lm('lstm'), { seed: 5 });
    const run = { train: data(1, 800), validation: data(2, 200), batchSize: 4, window: 10, epochs: 1 };
    const { plain, off, on: dropped } = await plainOffOn(model, run, 'recurrentDropout', 0.5);
    expect(off.history[0].trainLoss).toBe(plain.history[0].trainLoss);
    expect(dropped.history[0].trainLoss).not.toBe(plain.history[0].trainLoss);
    const layer = (m: typeof model) => Array.from(m.layers[0].weight.toFloat32());
    expect(layer(dropped.model)).not.toEqual(layer(plain.model));
    expect(() => resolveTrainOptions({ recurrentDropout: 1 })).toThrow(/option recurrentDropout is 1/);
    const gru = createRandomModel(lm('gru'), { seed: 5 });
    await expect(train(gru, { ...run, recurrentDropout: 0.2 })).rejects.toMatchObject({ code: 'TRAINING_OPTION_INVALID', message: expect.stringMatching(/recurrentDropout 0.2 is for LSTM and Elman layers; layer 0 is a GRU/) });
  });

  it('embedding dropout changes the updates; dense-input models and values outside [0, 1) are refused', async () => {
    const model = createRandomModel(lm('lstm'), { seed: 5 });
    const run = { train: data(1, 800), batchSize: 4, window: 10, epochs: 1 };
    const { plain, off, on: dropped } = await plainOffOn(model, run, 'embeddingDropout', 0.3);
    expect(off.history[0].trainLoss).toBe(plain.history[0].trainLoss);
    expect(dropped.history[0].trainLoss).not.toBe(plain.history[0].trainLoss);
    expect(Array.from(dropped.model.embedding!.toFloat32())).not.toEqual(Array.from(plain.model.embedding!.toFloat32()));
    expect(() => resolveTrainOptions({ embeddingDropout: 1 })).toThrow(/option embeddingDropout is 1/);
    const dense = createRandomModel({ cell: 'lstm', input: 'dense', vocabSize: 0, inputSize: 3, hiddenSize: 4, numLayers: 1, head: 'linear', outputSize: 1 }, { seed: 5 });
    const values = Float32Array.from({ length: 400 }, (_, k) => Math.sin(k / 5));
    const denseRun = { train: { inputs: values.subarray(0, 300), targets: values.subarray(0, 100), inputWidth: 3, targetWidth: 1 }, batchSize: 2, window: 5, epochs: 1, embeddingDropout: 0.1 };
    await expect(train(dense, denseRun)).rejects.toMatchObject({ code: 'TRAINING_OPTION_INVALID', message: expect.stringMatching(/embeddingDropout 0.1 needs a model with token \(embedding\) input; this one takes dense input/) });
  });

  it('dropout changes the updates (and is off in evaluation)', async () => {
    const model = createRandomModel({ ...lm('lstm'), numLayers: 2 }, { seed: 5 });
    const run = { train: data(1, 800), batchSize: 4, window: 10, epochs: 1 };
    const plain = await train(model, run);
    const dropped = await train(model, { ...run, dropout: 0.5 });
    expect(dropped.history[0].trainLoss).not.toBe(plain.history[0].trainLoss);
    expect(Array.from(dropped.model.layers[1].bias)).not.toEqual(Array.from(plain.model.layers[1].bias));
  });

  it('rejects bad options and data with typed errors naming them', async () => {
    expect(() => resolveTrainOptions({ dropout: 1 })).toThrow(/option dropout is 1/);
    expect(() => resolveTrainOptions({ batchSize: 0 })).toThrow(expect.objectContaining({ code: 'TRAINING_OPTION_INVALID' }));
    const model = createRandomModel(lm('lstm'));
    const bad = { inputs: Int32Array.of(1, 2, 99, 3), targets: Int32Array.of(2, 99, 3, 4), inputWidth: 1, targetWidth: 1 };
    await expect(train(model, { train: bad, batchSize: 1 })).rejects.toMatchObject({ code: 'TRAINING_DATA_INVALID', message: expect.stringMatching(/inputs\[2\] is 99/) });
  });
});

describe('frequency classes', () => {
  it('group words by √frequency, most frequent first, every class non-empty', () => {
    const counts = [100, 1, 50, 25, 0, 10, 5, 2];
    const classes = createFrequencyClasses(counts, 3);
    expect(classes.classOf[0]).toBe(0); // the most frequent word opens class 0
    expect(classes.classOf[4]).toBe(2); // an unseen word lands in the last class
    for (let c = 0; c < 3; c++) expect(classes.classStart[c + 1]).toBeGreaterThan(classes.classStart[c]);
    expect(Array.from(classes.members).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(largestClassSize(classes)).toBeLessThan(8);
    expect(() => createFrequencyClasses(counts, 9)).toThrow(/classCount 9/);
  });
});
