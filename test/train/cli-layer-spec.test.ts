import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInspect } from '../../src/cli/commands/inspect.ts';
import { runTrain, trainCommand } from '../../src/cli/commands/train.ts';
import { parseLayerSpec } from '../../src/cli/layer-spec.ts';
import { loadModel } from '../../src/format/load-model.ts';
import { ErrorCode, SeededRandom } from '../../src/index.ts';
import { TrainingError } from '../../src/train/errors.ts';

// `lstm-stream train --layer-spec` (issue 16, item 3): a stack whose layers
// differ in kind and size, bottom first, trained end to end and written as a
// version-4 model file that `inspect` describes layer by layer.
const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-layer-spec-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function corpus(seed: number, sentences: number): string {
  const random = new SeededRandom(seed);
  const words = ['the cat', 'a dog', 'sat on', 'ran to', 'the mat', 'a tree'];
  const lines: string[] = [];
  for (let i = 0; i < sentences; i++) lines.push(...`${words[random.integer(2)]} ${words[2 + random.integer(2)]} ${words[4 + random.integer(2)]} .`.split(' '));
  return `${lines.join('\n')}\n`;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t), terminal: false } };
}

describe('train --layer-spec', () => {
  const trainPath = join(directory, 'train.txt');
  writeFileSync(trainPath, corpus(1, 200));

  it('is documented in train --help', () => {
    expect(trainCommand.usage).toMatch(/--layer-spec SPEC {7}a stack whose layers differ in kind and size, bottom first/);
    expect(trainCommand.usage).toContain('lstm:128,gru:64');
  });

  it('trains a mixed stack and writes a version-4 file that inspect describes per layer', async () => {
    const out = join(directory, 'mixed.msgpack');
    const { err, io } = capture();
    const code = await runTrain(['--train', trainPath, '--layer-spec', 'lstm:12, gru-reset-before:8,rnn-tanh:5', '--gate-activation', 'hard-sigmoid', '--embedding', '6', '--batch', '4', '--window', '8', '--epochs', '1', '--max-windows', '4', '--dropout', '0.1', '--out', out], io);
    expect(code).toBe(0);
    expect(err.join('')).toMatch(/training layers lstm:12 \(hard-sigmoid\), gru-reset-before:8 \(hard-sigmoid\), rnn-tanh:5, 3 layer\(s\), embedding 6, hidden 5 at the top/);
    const model = await loadModel(out);
    expect(model.layers.map((layer) => [layer.kind, layer.inputSize, layer.hiddenSize, layer.gateActivation])).toEqual([
      ['lstm', 6, 12, 'hard-sigmoid'],
      ['gru-reset-before', 12, 8, 'hard-sigmoid'],
      ['rnn-tanh', 8, 5, 'sigmoid'],
    ]);
    const lines: string[] = [];
    expect(await runInspect([out], (t) => void lines.push(t))).toBe(0);
    const text = lines.join('');
    expect(text).toMatch(/format version 4/);
    expect(text).toMatch(/architecture: 3 layers of their own kind and size, lstm:12 \(hard-sigmoid\), gru-reset-before:8 \(hard-sigmoid\), rnn-tanh:5 \(bottom first\), embedding input/);
  });

  it('a spec of one kind and size trains the plain stack --cell/--hidden/--layers would (version-1 file)', async () => {
    const out = join(directory, 'plain.msgpack');
    expect(await runTrain(['--train', trainPath, '--layer-spec', 'lstm:8,lstm:8', '--embedding', '6', '--batch', '4', '--window', '8', '--epochs', '1', '--max-windows', '2', '--out', out], capture().io)).toBe(0);
    const model = await loadModel(out);
    expect(model.architecture.layers).toBeUndefined();
    expect(model.architecture).toMatchObject({ cell: 'lstm', hiddenSize: 8, numLayers: 2 });
  });

  it('refuses a bad spec with TRAINING_OPTION_INVALID naming the entry', () => {
    const refused = (text: string, message: RegExp): void => {
      let error: unknown = null;
      try {
        parseLayerSpec(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TrainingError);
      expect((error as TrainingError).code).toBe(ErrorCode.TRAINING_OPTION_INVALID);
      expect((error as TrainingError).message).toMatch(message);
    };
    refused('lstm:128,transformer:64', /layer 1 has kind "transformer", not one of lstm/);
    refused('lstm:128,gru', /layer 1 is "gru"/);
    refused('lstm:0', /layer 0 has size 0, not in 1 … 65536/);
    refused('', /layer 0 is ""/);
    refused(Array.from({ length: 65 }, () => 'gru:2').join(','), /65 layers, more than 64/);
    expect(parseLayerSpec('rnn-relu:3 , gru:2')).toEqual([{ cell: 'rnn-relu', hiddenSize: 3 }, { cell: 'gru', hiddenSize: 2 }]);
  });
});
