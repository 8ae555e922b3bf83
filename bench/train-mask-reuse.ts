// Does a trained model fit the dropout masks it was trained on? The loss of a window under
// dropout, with the weights fixed, for the masks that the trainer drew before mixSeed was fixed
// (2026-12-05: the epoch was XOR-ed into the seed, so seed s at epoch e reused the masks of
// seed s ^ e at epoch 0) against the masks it draws now and against independent masks (every
// stream's generator seeded with a state drawn at random). Forward only, nothing learned.
//   node_modules/.bin/deno run -A bench/train-mask-reuse.ts MODEL.f32.msgpack data/brown/train.txt [WINDOWS] [SEEDS]
// 2026-12-05, RUN/phase4.f32.msgpack (the shipped weights; phases 1–4 ran with seeds 1–4, i.e.
// old-mix seeds 0–7 at epoch 0), 6 windows of the Brown training split, batch 20, window 35,
// dropout 0.5 on the embedding output and before the head, perplexity:
//   no dropout 108.9; independent masks 151.9;
//   seed 1 / 2 / 3 / 4 / 5 at epoch 1, the old masks: 121.9 / 116.3 / 121.7 / 139.3 / 127.0
//     (the masks drawn now 154.4 / 152.7 / 153.2 / 156.3 / 153.1);
//   seeds 7, 8, 12, 16, the old masks 150.5, 151.8, 154.2, 154.2 (now 152.4, 154.1, 153.7, 159.4).
// Masks the run had seen (old-mix seeds 0–5) cost the model less than half of what fresh masks
// cost it: it fits the masks themselves, which is dropout undone.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { decodeModel } from '../src/format/decode-model.ts';
import { SeededRandom } from '../src/math/random.ts';
import { languageModelData, WindowBatches } from '../src/train/data/batches.ts';
import { NetworkGraph } from '../src/train/graph/network-graph.ts';
import { mixSeed } from '../src/train/seed-mix.ts';
import { TrainableModel } from '../src/train/trainable-model.ts';

/** mixSeed as it was before the fix: the epoch XOR-ed into the seed. */
function oldMixSeed(seed: number, a: number, b: number, c: number): number {
  let h = seed >>> 0;
  h = Math.imul(h ^ (a >>> 0), 0x9e3779b1) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h ^ (b >>> 0), 0x9e3779b1) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h ^ (c >>> 0), 0x9e3779b1) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const [modelPath, tokenPath, windowsText = '6', seedsText = '1,2,3,4,5,6,7,8,12,16'] = process.argv.slice(2);
const windows = Number(windowsText);
const model = decodeModel(new Uint8Array(readFileSync(modelPath)));
const index = new Map(model.vocabulary!.map((token, id) => [token, id]));
const tokens = Int32Array.from(readFileSync(tokenPath, 'utf8').split('\n').filter((line) => line.length > 0).map((token) => index.get(token) ?? 0));
const B = 20;
const T = 35;
const trainable = new TrainableModel(model, { tie: model.head?.weight === model.embedding });
const batches = new WindowBatches(languageModelData(tokens), B, T);
const graph = new NetworkGraph(trainable, { batchSize: B, window: T, dropout: 0.5, inputDropout: 0.5, kernel: 'wasm' });
const random = (graph as unknown as { random: SeededRandom }).random;
const setState = random.setState.bind(random);

/**
 * Perplexity over the first windows; `masks` false: no dropout. `states(k)` lists the generator
 * states of window k's streams in the order the graph seeds them (the embedding output's 20,
 * then the layer output's 20), which replace the trainer's own; null: the trainer's own, from
 * mixSeed(seed, 0, k, 0).
 */
function perplexity(masks: boolean, states: ((k: number) => number[]) | null, seed = 0): number {
  graph.resetState();
  let sum = 0;
  for (let k = 0; k < windows; k++) {
    const steps = batches.load(k);
    const queue = states === null ? null : states(k);
    random.setState = queue === null ? setState : (): void => setState(queue.shift()!);
    sum += graph.forward(batches.inputs, batches.targets, steps, masks ? { seed: mixSeed(seed, 0, k, 0), firstStream: 0 } : null);
  }
  random.setState = setState;
  return Math.exp(sum / windows);
}

const streams = Array.from({ length: B }, (_, b) => b);
/** The states the trainer seeded window k's streams with before the fix. */
const oldStates = (seed: number) => (k: number): number[] => {
  const windowSeed = oldMixSeed(seed, 0, k, 0);
  return [...streams.map((b) => oldMixSeed(windowSeed, 0, b, 2)), ...streams.map((b) => oldMixSeed(windowSeed, 0, b, 1))];
};
/** Independent masks: every stream of every window seeded with a state drawn at random. */
function independent(): number {
  const draws = new SeededRandom(0x5eed);
  return perplexity(true, () => Array.from({ length: 2 * B }, () => Math.floor(draws.next() * 2 ** 32)));
}

console.log(`${modelPath}, ${windows} windows of ${tokenPath}, batch ${B}, window ${T}, perplexity`);
console.log(`no dropout: ${perplexity(false, null).toFixed(1)}`);
console.log(`independent masks: ${independent().toFixed(1)}`);
for (const seed of seedsText.split(',').map(Number)) {
  console.log(`seed ${seed}, epoch 1: the old masks ${perplexity(true, oldStates(seed)).toFixed(1)}, the masks drawn now ${perplexity(true, null, seed).toFixed(1)}`);
}
