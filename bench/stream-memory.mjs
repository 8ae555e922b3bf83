// Must-show 2 of issue 6: a producer pushes 1,000,000 tokens as fast as the
// stream lets it; the consumer is slower (it sleeps 1 ms after every 100
// results). Prints the live heap (after a full GC) at the start and its peak,
// sampled every 10,000 results, and checks that every token came out once, in order.
// Then, without sleeps, compares the throughput of copied and borrowed outputs.
//   node --expose-gc bench/stream-memory.mjs [tokens]
//   deno run -A --v8-flags=--expose-gc bench/stream-memory.mjs [tokens]
//   bun bench/stream-memory.mjs [tokens]
import { heapBytes, liveHeapBytes, loadLibrary, median, megabytes, runtime, sleep } from './stream-common.mjs';

const TOKENS = Number(globalThis.Deno ? (Deno.args[0] ?? 1_000_000) : (process.argv[2] ?? 1_000_000));
const SAMPLE_EVERY = 10_000;
const lib = await loadLibrary();
const VOCAB = 100;
const model = lib.createRandomModel(
  { cell: 'lstm', input: 'embedding', vocabSize: VOCAB, inputSize: 16, hiddenSize: 32, numLayers: 1, head: 'softmax', outputSize: VOCAB },
  { seed: 1 },
);
const tokenAt = (i) => (i * 7 + (i >> 10)) % VOCAB;

async function slowConsumerRun(output) {
  const stream = lib.createStream(model, { highWaterMark: 64, output });
  const start = liveHeapBytes();
  let peak = start;
  let peakRaw = heapBytes();
  let maxQueued = 0;
  const samples = [];
  let received = 0;
  let outOfOrder = 0;
  let checksum = 0;
  const startTime = performance.now();
  const producer = (async () => {
    for (let i = 0; i < TOKENS; i++) await stream.push(tokenAt(i));
    stream.end();
  })();
  for await (const result of stream) {
    if (result.id !== tokenAt(received)) outOfOrder++;
    checksum += result.output[0];
    received++;
    if (stream.queued > maxQueued) maxQueued = stream.queued;
    if (received % 1000 === 0) peakRaw = Math.max(peakRaw, heapBytes());
    if (received % SAMPLE_EVERY === 0) {
      const live = liveHeapBytes();
      samples.push(live - start);
      peak = Math.max(peak, live);
    }
    if (received % 100 === 0) await sleep(1);
  }
  await producer;
  const seconds = (performance.now() - startTime) / 1000;
  return { output, received, outOfOrder, dropped: stream.dropped, maxQueued, start, peak, peakRaw, seconds, checksum, samples };
}

async function throughput(output, tokens) {
  const stream = lib.createStream(model, { highWaterMark: 64, output });
  const startTime = performance.now();
  const producer = (async () => {
    for (let i = 0; i < tokens; i++) await stream.push(tokenAt(i));
    stream.end();
  })();
  let sum = 0;
  for await (const result of stream) sum += result.output[0];
  await producer;
  return { rate: tokens / ((performance.now() - startTime) / 1000), sum };
}

// A step on its own, for scale.
const session = model.session();
const stepStart = performance.now();
for (let i = 0; i < 200_000; i++) session.step(tokenAt(i));
const plainRate = 200_000 / ((performance.now() - stepStart) / 1000);

console.log(`runtime ${runtime}; model LSTM 1 layer, hidden 32, embedding 16, vocabulary ${VOCAB}; highWaterMark 64`);
console.log(`slow consumer (sleeps 1 ms after every 100 results), producer pushing ${TOKENS.toLocaleString('en-US')} tokens:`);
const run = await slowConsumerRun('copy');
const delta = run.peak - run.start;
console.log(
  `  received ${run.received.toLocaleString('en-US')} in order: ${run.outOfOrder === 0 && run.received === TOKENS ? 'yes' : `NO (${run.outOfOrder} out of order)`}; dropped ${run.dropped}; largest queue ${run.maxQueued}; ${run.seconds.toFixed(1)} s`,
);
console.log(`  live heap at start ${megabytes(run.start)}, peak ${megabytes(run.peak)} (sampled after a full GC every ${SAMPLE_EVERY.toLocaleString('en-US')} results): +${megabytes(delta)} ${delta <= 2 * 1048576 ? '≤' : '>'} 2 MB`);
console.log(`  peak heap without forcing GC (garbage included, sampled every 1,000): +${megabytes(run.peakRaw - run.start)}`);

const copies = [];
const borrows = [];
for (let r = 0; r < 5; r++) {
  copies.push((await throughput('copy', 100_000)).rate);
  borrows.push((await throughput('borrowed', 100_000)).rate);
}
const copyRate = median(copies);
const borrowRate = median(borrows);
console.log('throughput without sleeps (100,000 tokens, 5 alternating runs, medians):');
console.log(`  session.step alone ${Math.round(plainRate).toLocaleString('en-US')} steps/s`);
console.log(`  stream, output copy ${Math.round(copyRate).toLocaleString('en-US')} tokens/s; borrowed ${Math.round(borrowRate).toLocaleString('en-US')} tokens/s; copy/borrowed ${(copyRate / borrowRate).toFixed(3)}`);
if (!(run.outOfOrder === 0 && run.received === TOKENS && delta <= 2 * 1048576)) process.exitCode = 1;
if (process.env.SHOW_SAMPLES) console.log(run.samples.map((b) => (b / 1024).toFixed(0)).join(' '));
