import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTrain } from '../../src/cli/commands/train.ts';
import { loadModel } from '../../src/format/load-model.ts';
import { SeededRandom } from '../../src/index.ts';

const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-cli-train-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

// A tiny corpus with structure: "the cat sat on the mat" style sentences with a little noise.
function corpus(seed: number, sentences: number): string {
  const random = new SeededRandom(seed);
  const subjects = ['the cat', 'a dog', 'the bird', 'my friend'];
  const verbs = ['sat on', 'looked at', 'ran to'];
  const objects = ['the mat', 'a tree', 'the house'];
  const lines: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const words = `${subjects[random.integer(4)]} ${verbs[random.integer(3)]} ${objects[random.integer(3)]} .`.split(' ');
    lines.push(...words);
  }
  return `${lines.join('\n')}\n`;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), terminal: false } };
}

describe('lstm-stream train', () => {
  const trainPath = join(directory, 'train.txt');
  const validPath = join(directory, 'valid.txt');
  writeFileSync(trainPath, corpus(1, 600));
  writeFileSync(validPath, corpus(2, 100));

  it('trains, logs plain lines, prints a summary, writes the model file and an HTML report with SVG curves', async () => {
    const out = join(directory, 'model.msgpack');
    const report = join(directory, 'report.html');
    const { out: stdout, err, io } = capture();
    const code = await runTrain(
      ['--train', trainPath, '--valid', validPath, '--embedding', '16', '--hidden', '24', '--batch', '8', '--window', '10', '--epochs', '3', '--lr', '0.01', '--classes', '4', '--out', out, '--dtype', 'q8', '--report', report],
      io,
    );
    expect(code).toBe(0);
    const log = err.join('');
    expect(log).toMatch(/training lstm, 1 layer\(s\), embedding 16, hidden 24, vocabulary 18, 4 output classes/);
    expect(log).toMatch(/parameters; products on wasm (simd|relaxed-simd)\n/);
    expect(log).toMatch(/epoch 1\/3 window \d+\/\d+ loss \d+\.\d+ ppl \d+\.\d tokens\/s|epoch 1\/3 window \d+\/\d+ loss \d+\.\d+ ppl [\d.]+ \d+ tokens\/s ETA/);
    expect(log).toMatch(/epoch 3: train loss [\d.]+ \(ppl [\d.]+\), valid loss [\d.]+ \(ppl [\d.]+\)/);
    expect(log).not.toContain('\r'); // no progress bar when not on a terminal
    const summary = stdout.join('');
    expect(summary).toMatch(/best validation loss [\d.]+ \(perplexity [\d.]+\) at epoch \d/);
    expect(summary).toContain(`wrote ${out} (q8,`);
    const model = await loadModel(out);
    expect(model.vocabulary![0]).toBe('<unk>');
    expect(model.architecture).toMatchObject({ vocabSize: 18, hiddenSize: 24, head: 'softmax' });
    expect(model.metadata.outputClasses).toMatchObject({ classCount: 4 });
    // The sentences have ~2.3 bits of real uncertainty per word; a unigram model sits near perplexity 10.
    const valid = /best validation loss [\d.]+ \(perplexity ([\d.]+)\)/.exec(summary)!;
    expect(Number(valid[1])).toBeLessThan(6);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<svg /g)!.length).toBe(3); // loss, perplexity, per-window loss
    expect(html).toContain('<polyline');
    expect(html).toContain('classCount');
    expect(html).not.toMatch(/<script|src=|href=/); // self-contained
  });

  it('with --tie, the first line counts the shared embedding and output matrix once, as the written model does', async () => {
    const out = join(directory, 'tied.msgpack');
    const { err, io } = capture();
    const code = await runTrain(['--train', trainPath, '--embedding', '24', '--hidden', '24', '--tie', '--batch', '8', '--window', '10', '--epochs', '1', '--max-windows', '2', '--out', out], io);
    expect(code).toBe(0);
    const printed = Number(/; (\d+) parameters/.exec(err.join(''))![1]);
    const model = await loadModel(out);
    expect(model.head!.weight).toBe(model.embedding);
    // 18 × 24 embedding (also the output matrix), 4 × 24 × 48 LSTM weights, the LSTM and output biases.
    expect(printed).toBe(model.parameterCount);
    expect(printed).toBeLessThan(18 * 24 * 2 + 4 * 24 * 48);
  });

  it('draws a progress bar on a terminal', async () => {
    const { err, io } = capture();
    await runTrain(['--train', trainPath, '--embedding', '8', '--hidden', '8', '--batch', '4', '--window', '10', '--epochs', '1', '--max-windows', '3', '--out', join(directory, 'bar.msgpack')], { ...io, terminal: true });
    expect(err.join('')).toMatch(/\r\x1b\[Kepoch 1\/1 \[#+-*\] +\d+% loss [\d.]+ ppl [\d.]+ \d+ tokens\/s ETA \S+/);
  });

  it('stops on request with a checkpoint (exit 130), and --resume ends with the same model file as an uninterrupted run', async () => {
    const common = ['--train', trainPath, '--valid', validPath, '--embedding', '8', '--hidden', '12', '--batch', '4', '--window', '10', '--epochs', '2', '--dropout', '0.1'];
    const whole = join(directory, 'whole.msgpack');
    expect(await runTrain([...common, '--out', whole], capture().io)).toBe(0);
    const parts = join(directory, 'parts.msgpack');
    const controller = new AbortController();
    const first = capture();
    let lines = 0;
    const code = await runTrain([...common, '--out', parts], {
      ...first.io,
      signal: controller.signal,
      err: (t) => {
        first.err.push(t);
        if (t.startsWith('epoch 1/2 window') && ++lines === 1) controller.abort();
      },
    });
    expect(code).toBe(130);
    expect(first.out.join('')).toMatch(/stopped by request; checkpoint .*parts\.msgpack\.ckpt/);
    expect(await runTrain([...common, '--out', parts, '--resume'], capture().io)).toBe(0);
    expect(readFileSync(parts).equals(readFileSync(whole))).toBe(true);
  });

  it('prints usage without --train and names a bad flag value', async () => {
    const { err, io } = capture();
    expect(await runTrain([], io)).toBe(2);
    expect(err.join('')).toContain('usage: lstm-stream train');
    await expect(runTrain(['--train', trainPath, '--hidden', 'big'], io)).rejects.toThrow(/--hidden is "big"/);
  });
});
