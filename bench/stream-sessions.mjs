// Must-show 3 of issue 6: 10,000 concurrent sessions on one LSTM language
// model (hidden 256, 2 layers, vocabulary 10,000). Prints the bytes a session
// costs by formula (state + scratch) and as measured (live heap after a full
// GC, divided by the count), then the step rate of round-robin stepping over
// all sessions against one session stepping alone, alternating the two
// blocks and taking medians; the same again through 10,000 push streams.
//   node --expose-gc bench/stream-sessions.mjs [sessions] [rounds]
//   deno run -A --v8-flags=--expose-gc bench/stream-sessions.mjs [sessions] [rounds]
//   bun bench/stream-sessions.mjs [sessions] [rounds]
import { loadLibrary, median, runtime, settledLiveHeapBytes } from './stream-common.mjs';

const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const SESSIONS = Number(args[0] ?? 10_000);
const REPEATS = Number(args[1] ?? 3);
const lib = await loadLibrary();

const H = 256;
const L = 2;
const I = 256; // embedding width
const V = 10_000; // vocabulary: the logits buffer [V] dominates a session's memory
const architecture = { cell: 'lstm', input: 'embedding', vocabSize: V, inputSize: I, hiddenSize: H, numLayers: L, head: 'softmax', outputSize: V };
const model = lib.createRandomModel(architecture, { seed: 2 });
const backend = typeof lib.kernelBackend === 'function' ? lib.kernelBackend() : 'typescript';

const stateBytes = 4 * 2 * L * H; // h and C, [L × H] each
const xhBytes = 4 * (Math.max(I, H) + H); // a layer's [x; h]
const gatesBytes = 4 * 4 * H; // the fused gates [4H]
const logitsBytes = 4 * V; // the head's output [V]
const formula = stateBytes + xhBytes + gatesBytes + logitsBytes;

console.log(`runtime ${runtime}, kernels ${backend}; model LSTM ${L} layers, hidden ${H}, embedding ${I}, vocabulary ${V.toLocaleString('en-US')}; weights ${(model.byteLength / 1048576).toFixed(1)} MB, shared`);
console.log(`bytes per session by formula = state 4·2·L·H (${stateBytes}) + [x;h] 4·(max(I,H)+H) (${xhBytes}) + gates 4·4H (${gatesBytes}) + logits 4·V (${logitsBytes}) = ${formula}`);
const probe = model.session();
console.log(`Session.byteLength = ${probe.byteLength}${probe.byteLength === formula ? ' (matches)' : ' (DIFFERS from the formula)'}`);
probe.step(1); // the first session of a model builds its shared kernels; keep that out of the per-session count

const before = await settledLiveHeapBytes();
const sessions = [];
for (let s = 0; s < SESSIONS; s++) sessions.push(model.session());
const afterSessions = await settledLiveHeapBytes();
const perSession = (afterSessions - before) / SESSIONS;
console.log(
  `${SESSIONS.toLocaleString('en-US')} sessions: live heap +${((afterSessions - before) / 1048576).toFixed(1)} MB = ${perSession.toFixed(0)} bytes per session (${(perSession - formula).toFixed(0)} bytes of JS objects over the formula, ${((perSession / formula - 1) * 100).toFixed(1)}%)`,
);

const tokenOf = (s, round) => (s * 31 + round * 7 + 1) % V;
// The machine is shared and noisy, so the two ways are timed in short
// alternating blocks of BLOCK steps: a block of one session alone, then the
// next BLOCK sessions of the round-robin (which moves on through all of them),
// and the ratio is taken per adjacent pair; PAIRS pairs cover REPEATS full rounds.
const BLOCK = Math.min(1000, SESSIONS);
const PAIRS = Math.ceil((REPEATS * SESSIONS) / BLOCK);
let checksum = 0;
let cursor = 0; // next session of the round-robin
let sweep = 0; // full rounds done

// Each block is timed twice: by the wall clock, and by this process's CPU time,
// which other programs on a shared machine disturb much less.
function timed(run) {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  run();
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall: BLOCK / wall, cpu: BLOCK / ((cpu.user + cpu.system) / 1e6) };
}

async function timedAsync(run) {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await run();
  const wall = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { wall: BLOCK / wall, cpu: BLOCK / ((cpu.user + cpu.system) / 1e6) };
}

function singleBlock(session, offset) {
  return timed(() => {
    for (let i = 0; i < BLOCK; i++) checksum += session.step(tokenOf(offset + i, sweep))[0];
  });
}

function roundRobinBlock() {
  return timed(() => {
    for (let i = 0; i < BLOCK; i++) {
      checksum += sessions[cursor].step(tokenOf(cursor, sweep))[0];
      if (++cursor === SESSIONS) {
        cursor = 0;
        sweep++;
      }
    }
  });
}

function summarize(label, singles, rounds) {
  console.log(`${label}, ${singles.length} alternating pairs of ${BLOCK.toLocaleString('en-US')}-step blocks (${REPEATS} full rounds), medians:`);
  const ratios = {};
  for (const clock of ['wall', 'cpu']) {
    const pairwise = singles.map((single, i) => rounds[i][clock] / single[clock]);
    ratios[clock] = median(pairwise);
    console.log(
      `  ${clock === 'wall' ? 'wall clock' : 'CPU time  '}: one alone ${median(singles.map((r) => r[clock])).toFixed(0)} steps/s, round-robin over all ${median(rounds.map((r) => r[clock])).toFixed(0)} steps/s; ratio (median of pairwise ratios) ${ratios[clock].toFixed(3)} ${ratios[clock] >= 0.9 ? '≥' : '<'} 0.90, quartiles ${quartiles(pairwise)}`,
    );
  }
  return ratios;
}

function quartiles(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(3);
  return `${at(0.25)} … ${at(0.75)}`;
}

// Warm up both paths (JIT tiers) before timing.
const alone = model.session();
for (let i = 0; i < 300; i++) alone.step(tokenOf(i, 0));
for (let s = 0; s < Math.min(300, SESSIONS); s++) sessions[s].step(tokenOf(s, 0));

const singleRates = [];
const roundRobinRates = [];
for (let p = 0; p < PAIRS; p++) {
  singleRates.push(singleBlock(alone, p * BLOCK));
  roundRobinRates.push(roundRobinBlock());
}
const sessionRatios = summarize('bare sessions', singleRates, roundRobinRates);

// The same through push streams: one stream per session, each round pushes one
// token into every stream and then takes one result from every stream.
const beforeStreams = await settledLiveHeapBytes();
const streams = sessions.map((session) => lib.createStream(session, { highWaterMark: 4 }));
const afterStreams = await settledLiveHeapBytes();
console.log(`${SESSIONS.toLocaleString('en-US')} open streams over them: +${((afterStreams - beforeStreams) / SESSIONS).toFixed(0)} bytes per stream (queue of 4 and closures; the session is the one above)`);
const aloneStream = lib.createStream(model.session(), { highWaterMark: 4 });

function singleStreamBlock(offset) {
  return timedAsync(async () => {
    for (let i = 0; i < BLOCK; i++) {
      aloneStream.tryPush(tokenOf(offset + i, sweep));
      checksum += (await aloneStream.next()).value.output[0];
    }
  });
}

// Round-robin through streams: push one token into each of the next BLOCK
// streams, then take one result from each of them.
function roundRobinStreamBlock() {
  return timedAsync(async () => {
    const first = cursor;
    for (let i = 0; i < BLOCK; i++) streams[(first + i) % SESSIONS].tryPush(tokenOf((first + i) % SESSIONS, sweep));
    for (let i = 0; i < BLOCK; i++) checksum += (await streams[(first + i) % SESSIONS].next()).value.output[0];
    cursor = (first + BLOCK) % SESSIONS;
  });
}

const singleStreamRates = [];
const roundRobinStreamRates = [];
for (let p = 0; p < PAIRS; p++) {
  singleStreamRates.push(await singleStreamBlock(p * BLOCK));
  roundRobinStreamRates.push(await roundRobinStreamBlock());
}
summarize('through streams (output copied)', singleStreamRates, roundRobinStreamRates);
const streamVsBare = (clock) => median(roundRobinStreamRates.map((r) => r[clock])) / median(singleRates.map((r) => r[clock]));
console.log(`  round-robin streams vs one bare session alone (medians, not paired): wall ${streamVsBare('wall').toFixed(3)}, CPU ${streamVsBare('cpu').toFixed(3)}`);
for (const stream of streams) stream.cancel();
if (checksum !== checksum) console.log('checksum NaN'); // keeps the outputs observable
if (!(sessionRatios.cpu >= 0.9 || sessionRatios.wall >= 0.9)) process.exitCode = 1;
