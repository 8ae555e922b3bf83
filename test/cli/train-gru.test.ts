import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runConvert } from '../../src/cli/commands/convert.ts';
import { evalCommand } from '../../src/cli/commands/eval.ts';
import { generateCommand } from '../../src/cli/commands/generate.ts';
import { inspectCommand } from '../../src/cli/commands/inspect.ts';
import { predictCommand } from '../../src/cli/commands/predict.ts';
import { runTrain } from '../../src/cli/commands/train.ts';
import { ErrorCode } from '../../src/errors.ts';
import { loadModel } from '../../src/format/load-model.ts';
import { SeededRandom, softmaxInto, type Model } from '../../src/index.ts';
import { decodeOnnx } from '../../src/interop/onnx/decode-onnx.ts';
import { importSafetensors } from '../../src/interop/safetensors/import-safetensors.ts';
import { readSafetensors } from '../../src/interop/safetensors/read-safetensors.ts';
import { Suggester } from '../../src/cli/suggester.ts';

// Issue 16, item 2 (`lstm-stream train --cell gru`) and must-show 5's second
// half: a GRU language model written by the train command evaluates,
// predicts, generates, streams and converts like an LSTM one. Every command
// runs in-process (the functions the CLI runs), on a tiny corpus, and each
// command's answer is checked against the model stepped here.
const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-train-gru-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// "the cat sat on the mat" sentences: little real uncertainty, so a short run shows learning.
function corpus(seed: number, sentences: number): string {
  const random = new SeededRandom(seed);
  const subjects = ['the cat', 'a dog', 'the bird', 'my friend'];
  const verbs = ['sat on', 'looked at', 'ran to'];
  const objects = ['the mat', 'a tree', 'the house'];
  const lines: string[] = [];
  for (let i = 0; i < sentences; i++) lines.push(...`${subjects[random.integer(4)]} ${verbs[random.integer(3)]} ${objects[random.integer(3)]} .`.split(' '));
  return `${lines.join('\n')}\n`;
}

/** Runs a command that writes to process.stdout and returns its exit code and what it wrote. */
async function captureStdout(run: () => Promise<number>): Promise<{ code: number; text: string }> {
  let text = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    return true;
  });
  try {
    return { code: await run(), text };
  } finally {
    spy.mockRestore();
  }
}

/** exp(mean NLL) of `ids` with the state carried, the first token only read (what eval does without a start token). */
function perplexityOf(model: Model, ids: number[]): number {
  const session = model.session();
  const p = new Float32Array(model.architecture.outputSize);
  let nll = 0;
  softmaxInto(p, session.step(ids[0]));
  for (let t = 1; t < ids.length; t++) {
    nll -= Math.log(p[ids[t]]);
    softmaxInto(p, session.step(ids[t]));
  }
  return Math.exp(nll / (ids.length - 1));
}

const trainPath = join(directory, 'train.txt');
const validPath = join(directory, 'valid.txt');
writeFileSync(trainPath, corpus(1, 600));
writeFileSync(validPath, corpus(2, 100));
const validTokens = readFileSync(validPath, 'utf8').trim().split('\n');

describe.each(['gru', 'gru-reset-before'] as const)('lstm-stream train --cell %s', (cell) => {
  const out = join(directory, `${cell}.msgpack`);
  let model: Model;

  it('trains a 2-layer language model that learns, and writes a model file of that cell kind', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runTrain(
      ['--train', trainPath, '--valid', validPath, '--cell', cell, '--layers', '2', '--embedding', '11', '--hidden', '13', '--batch', '8', '--window', '10', '--epochs', '3', '--lr', '0.01', '--dropout', '0.05', '--out', out],
      { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), terminal: false },
    );
    expect(code).toBe(0);
    expect(stderr.join('')).toMatch(new RegExp(`training ${cell}, 2 layer\\(s\\), embedding 11, hidden 13, vocabulary 18`));
    const summary = stdout.join('');
    // A unigram model of these sentences sits near perplexity 10; their real uncertainty (~5.2 bits a
    // 9-token sentence) is perplexity ~1.5.
    const best = Number(/best validation loss [\d.]+ \(perplexity ([\d.]+)\)/.exec(summary)![1]);
    console.log(`train --cell ${cell}: best validation perplexity ${best}`);
    expect(best).toBeLessThan(3);
    model = await loadModel(out);
    expect(model.architecture).toMatchObject({ cell, numLayers: 2, inputSize: 11, hiddenSize: 13, vocabSize: 18, head: 'softmax' });
    expect(model.session().c).toBeNull(); // a GRU's state is h alone
  });

  it('eval scores the validation file as stepping the model does', async () => {
    const { code, text } = await captureStdout(() => evalCommand.run([out, validPath, '--json']));
    expect(code).toBe(0);
    const result = JSON.parse(text) as { perplexity: number; tokens: number };
    const ids = validTokens.map((token) => model.vocabulary!.indexOf(token));
    expect(result.tokens).toBe(ids.length - 1);
    expect(result.perplexity).toBeCloseTo(perplexityOf(model, ids), 3);
    expect(result.perplexity).toBeLessThan(3);
  });

  it('predict and generate answer from the model', async () => {
    const predicted = await captureStdout(() => predictCommand.run([out, 'the cat sat', '-k', '3', '--json']));
    expect(predicted.code).toBe(0);
    const suggestions = JSON.parse(predicted.text) as { token: string }[];
    expect(suggestions.map((s) => s.token)).toEqual(new Suggester(model).suggest('the cat sat', 3).map((s) => s.token));
    expect(suggestions[0].token).toBe('sat'); // completing "sat": the model learned the verb after "the cat"
    const first = await captureStdout(() => generateCommand.run([out, 'the cat', '--max-tokens', '6', '--seed', '3']));
    const again = await captureStdout(() => generateCommand.run([out, 'the cat', '--max-tokens', '6', '--seed', '3']));
    expect(first.text).toBe(again.text);
    expect(first.text.startsWith('the cat ')).toBe(true);
  });

  it('inspect describes it', async () => {
    const { code, text } = await captureStdout(() => inspectCommand.run([out]));
    expect(code).toBe(0);
    expect(text).toContain(cell);
  });

  it('streams: model.stream() gives what session.step gives', async () => {
    const ids = validTokens.slice(0, 40).map((token) => model.vocabulary!.indexOf(token));
    const session = model.session();
    const expected = ids.map((id) => Array.from(session.step(id)));
    const stream = model.stream({ highWaterMark: 3 });
    const pushing = (async () => {
      for (const id of ids) await stream.push(id);
      stream.end();
    })();
    const got: number[][] = [];
    for await (const result of stream) got.push(Array.from(result.output));
    await pushing;
    expect(got).toEqual(expected);
  });

  it('converts to a q8 model file that stays close', async () => {
    const q8 = join(directory, `${cell}.q8.msgpack`);
    await runConvert([out, q8, '--dtype', 'q8'], () => {});
    const quantized = await loadModel(q8);
    expect(quantized.layers[0].weight.dtype).toBe('q8');
    const ids = validTokens.map((token) => model.vocabulary!.indexOf(token));
    expect(Math.abs(perplexityOf(quantized, ids) / perplexityOf(model, ids) - 1)).toBeLessThan(0.02);
  });

  if (cell === 'gru') {
    it("exports to safetensors with nn.GRU's names, and the file imports back computing the same bits", async () => {
      const file = join(directory, `${cell}.safetensors`);
      let report = '';
      await runConvert([out, file], (t) => (report += t));
      expect(report).toMatch(/2-layer gru, embedding 18×11, hidden 13, softmax head 18/);
      const bytes = new Uint8Array(readFileSync(file));
      const { tensors, metadata } = readSafetensors(bytes);
      expect(tensors['rnn.weight_ih_l0'].shape).toEqual([39, 11]);
      expect(tensors['rnn.weight_hh_l1'].shape).toEqual([39, 13]);
      expect(tensors['rnn.bias_hh_l1'].shape).toEqual([39]);
      expect(JSON.parse(metadata['lstm_stream.vocabulary'])).toEqual(model.vocabulary);
      const back = importSafetensors(bytes);
      expect(back.architecture).toEqual(model.architecture);
      expect(back.vocabulary).toEqual(model.vocabulary);
      const ids = validTokens.map((token) => model.vocabulary!.indexOf(token));
      expect(perplexityOf(back, ids)).toBe(perplexityOf(model, ids));
    });
  } else {
    it('refuses safetensors export with a typed error that says why (nn.GRU resets after the product)', async () => {
      await expect(runConvert([out, join(directory, `${cell}.safetensors`)], () => {})).rejects.toMatchObject({
        code: ErrorCode.INVALID_CONFIG,
        message: expect.stringMatching(/no nn\.GRU equivalent/),
      });
    });
  }

  it(`converts to ONNX (a GRU node per layer, linear_before_reset ${cell === 'gru' ? 1 : 0}) and back, computing the same bits`, async () => {
    const onnx = join(directory, `${cell}.onnx`);
    const back = join(directory, `${cell}.from-onnx.msgpack`);
    await runConvert([out, onnx], () => {});
    const graph = decodeOnnx(new Uint8Array(readFileSync(onnx)));
    const nodes = graph.graph.nodes.filter((n) => n.opType === 'GRU');
    expect(nodes.map((n) => n.attributes.find((x) => x.name === 'linear_before_reset')?.i)).toEqual(cell === 'gru' ? [1, 1] : [0, 0]);
    await runConvert([onnx, back], () => {});
    const imported = await loadModel(back);
    expect(imported.architecture).toEqual(model.architecture);
    expect(imported.vocabulary).toEqual(model.vocabulary);
    const ids = validTokens.map((token) => model.vocabulary!.indexOf(token));
    expect(perplexityOf(imported, ids)).toBe(perplexityOf(model, ids));
  });
});

it('train --gate-activation hard-sigmoid: a model whose every layer has hard-sigmoid gates learns, and its file carries them (version 3)', async () => {
  const out = join(directory, 'hard.msgpack');
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runTrain(
    ['--train', trainPath, '--valid', validPath, '--cell', 'gru-reset-before', '--gate-activation', 'hard-sigmoid', '--layers', '2', '--embedding', '11', '--hidden', '13', '--batch', '8', '--window', '10', '--epochs', '3', '--lr', '0.01', '--out', out],
    { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), terminal: false },
  );
  expect(code).toBe(0);
  expect(stderr.join('')).toMatch(/training gru-reset-before \(gates hard-sigmoid\/hard-sigmoid\), 2 layer\(s\)/);
  const best = Number(/best validation loss [\d.]+ \(perplexity ([\d.]+)\)/.exec(stdout.join(''))![1]);
  console.log(`train --cell gru-reset-before --gate-activation hard-sigmoid: best validation perplexity ${best}`);
  expect(best).toBeLessThan(3);
  const model = await loadModel(out);
  expect(model.layers.map((layer) => layer.gateActivation)).toEqual(['hard-sigmoid', 'hard-sigmoid']);
  expect((await captureStdout(() => inspectCommand.run([out]))).text).toContain('gates hard-sigmoid / hard-sigmoid (bottom first)');
  let report = '';
  await runConvert([out, join(directory, 'hard.onnx')], (t) => (report += t));
  expect(report).toContain('2-layer gru-reset-before (gates hard-sigmoid / hard-sigmoid)');
  const { code: evalCode, text } = await captureStdout(() => evalCommand.run([out, validPath, '--json']));
  expect(evalCode).toBe(0);
  const ids = validTokens.map((token) => model.vocabulary!.indexOf(token));
  expect((JSON.parse(text) as { perplexity: number }).perplexity).toBeCloseTo(perplexityOf(model, ids), 3);
  const io = { out: () => {}, err: () => {}, terminal: false };
  await expect(runTrain(['--train', trainPath, '--cell', 'rnn-tanh', '--gate-activation', 'hard-sigmoid'], io)).rejects.toMatchObject({
    code: ErrorCode.TRAINING_OPTION_INVALID,
    message: expect.stringMatching(/a rnn-tanh layer has no gates/),
  });
});

it('train --cell names the kinds it takes when given another', async () => {
  const io = { out: () => {}, err: () => {}, terminal: false };
  await expect(runTrain(['--train', trainPath, '--cell', 'gru2'], io)).rejects.toMatchObject({
    code: ErrorCode.TRAINING_OPTION_INVALID,
    message: expect.stringMatching(/--cell is "gru2"; expected one of lstm, rnn-tanh, rnn-relu, gru, gru-reset-before/),
  });
});
