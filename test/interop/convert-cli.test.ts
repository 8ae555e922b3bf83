import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConvert } from '../../src/cli/commands/convert.ts';
import { ErrorCode } from '../../src/errors.ts';
import { loadModel } from '../../src/format/load-model.ts';
import { importOnnx } from '../../src/interop/onnx/import-onnx.ts';
import { readSafetensors } from '../../src/interop/safetensors/read-safetensors.ts';
import type { Model } from '../../src/model/model.ts';
import { loadTorchFixture, maxAbsDiff, rowOf, type FixtureTensor } from '../helpers/fixtures.ts';

// `lstm-stream convert` in-process (the same function the CLI runs), on the
// PyTorch fixtures: each conversion is checked against PyTorch's numbers.
const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-convert-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));
const fixturePath = (name: string): string => new URL(`../fixtures/torch/${name}`, import.meta.url).pathname;
const out = (name: string): string => join(directory, name);

const lm = loadTorchFixture<{ inputs: number[]; logits: FixtureTensor; vocab: number }>('lm_lstm_bptt');
const stack = loadTorchFixture<{ x: FixtureTensor; y: FixtureTensor }>('lstm_stack_onnx_io');

async function convert(...args: string[]): Promise<string> {
  let report = '';
  const code = await runConvert(args, (text) => {
    report += text;
  });
  expect(code).toBe(0);
  return report;
}

function lmError(model: Model): number {
  const session = model.session();
  return Math.max(...lm.inputs.map((token, t) => maxAbsDiff(session.step(token), rowOf(lm.logits, t))));
}

function stackError(model: Model): number {
  const session = model.session();
  return Math.max(...Array.from({ length: stack.x.shape[0] }, (_, t) => maxAbsDiff(session.step(rowOf(stack.x, t)), rowOf(stack.y, t))));
}

describe('lstm-stream convert', () => {
  it('safetensors → .msgpack reproduces lm_lstm_bptt.json within 1e-5', async () => {
    const report = await convert(fixturePath('lm_lstm.safetensors'), out('lm.msgpack'));
    expect(report).toMatch(/\(safetensors\) → .*lm\.msgpack \(msgpack, f32, \d+ bytes\): 2-layer lstm, embedding 11×6, hidden 8, softmax head 11/);
    expect(lmError(await loadModel(out('lm.msgpack')))).toBeLessThan(1e-5);
  });

  it('safetensors → .msgpack --dtype q8 stores int8 weights, close to the f32 logits', async () => {
    await convert(fixturePath('lm_lstm.safetensors'), out('lm.q8.msgpack'), '--dtype', 'q8');
    const model = await loadModel(out('lm.q8.msgpack'));
    expect(model.layers[0].weight.dtype).toBe('q8');
    // q8 rounds every weight to 1/254 of its row's range: close (3.5e-4 measured), but not 1e-5.
    const error = lmError(model);
    expect(error).toBeLessThan(2e-3);
    expect(error).toBeGreaterThan(1e-5);
  });

  it('.onnx → .msgpack reproduces lstm_stack_onnx_io.json within 1e-5', async () => {
    await convert(fixturePath('lstm_stack.onnx'), out('stack.msgpack'));
    expect(stackError(await loadModel(out('stack.msgpack')))).toBeLessThan(1e-5);
  });

  it('.msgpack → .onnx → model, and safetensors → .onnx / .safetensors (bf16), keep the numbers', async () => {
    await convert(fixturePath('lm_lstm.safetensors'), out('lm.f32.msgpack'));
    await convert(out('lm.f32.msgpack'), out('lm.onnx'));
    expect(lmError(importOnnx(new Uint8Array(readFileSync(out('lm.onnx')))))).toBeLessThan(1e-5);
    await convert(fixturePath('lstm_stack.onnx'), out('stack.safetensors'), '--dtype', 'bf16');
    const { tensors } = readSafetensors(new Uint8Array(readFileSync(out('stack.safetensors'))));
    expect(tensors.weight_ih_l0.dtype).toBe('BF16');
  });

  it('--vocabulary stores the tokens; --map FROM= drops tensors', async () => {
    const vocabulary = Array.from({ length: lm.vocab }, (_, i) => `w${i}`);
    writeFileSync(out('vocab.txt'), `${vocabulary.join('\n')}\n`);
    await convert(fixturePath('lm_lstm.safetensors'), out('lm.vocab.msgpack'), '--vocabulary', out('vocab.txt'));
    expect((await loadModel(out('lm.vocab.msgpack'))).vocabulary).toEqual(vocabulary);
    await convert(fixturePath('lm_lstm.safetensors'), out('lm.headless.msgpack'), '--map', 'out.weight=', '--map', 'out.bias=');
    expect((await loadModel(out('lm.headless.msgpack'))).architecture.head).toBe('none');
    await expect(runConvert([fixturePath('lm_lstm.safetensors'), out('x.msgpack'), '--map', 'out.weight='], () => {})).rejects.toMatchObject({
      code: ErrorCode.MISSING_TENSOR,
      message: expect.stringMatching(/out.bias but no out.weight/),
    });
  });

  it('refuses unknown file kinds and bad options with typed errors, and prints usage without two paths', async () => {
    await expect(runConvert(['model.pt', out('x.msgpack')], () => {})).rejects.toMatchObject({ code: ErrorCode.FILE_KIND_UNKNOWN });
    await expect(runConvert([fixturePath('lstm_stack.onnx'), out('x.onnx'), '--dtype', 'q8'], () => {})).rejects.toMatchObject({ code: ErrorCode.CONVERT_OPTION_INVALID });
    await expect(runConvert([fixturePath('lstm_stack.onnx'), out('x.msgpack'), '--dtype', 'q3'], () => {})).rejects.toMatchObject({ code: ErrorCode.CONVERT_OPTION_INVALID });
    let usage = '';
    expect(await runConvert([], (text) => (usage += text))).toBe(2);
    expect(usage).toMatch(/^usage: lstm-stream convert IN OUT/);
  });
});
