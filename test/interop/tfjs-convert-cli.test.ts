import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runConvert } from '../../src/cli/commands/convert.ts';
import { ErrorCode } from '../../src/errors.ts';
import { loadModel } from '../../src/format/load-model.ts';
import { InteropError } from '../../src/interop/errors.ts';
import { importTfjsLayers } from '../../src/interop/tfjs/import-tfjs.ts';
import { tfjsOnCpu, type Tf } from '../helpers/tfjs.ts';

// `lstm-stream convert model.json out.msgpack` in-process: a TensorFlow.js
// model saved as files (model.json + two shards beside it) converts to the
// same model importTfjsLayers builds, bit for bit, and back to model.json
// without changing a step; weight paths that leave the folder are refused.
const tf: Tf | null = await tfjsOnCpu().catch(() => null);

const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-tfjs-convert-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function convert(...args: string[]): Promise<string> {
  let report = '';
  expect(await runConvert(args, (text) => (report += text))).toBe(0);
  return report;
}

async function refusal(...args: string[]): Promise<InteropError> {
  try {
    await runConvert(args, () => {});
  } catch (error) {
    if (!(error instanceof InteropError)) throw error;
    return error;
  }
  throw new Error('expected an InteropError');
}

describe.skipIf(tf === null)('lstm-stream convert from a TensorFlow.js model.json', () => {
  it('model.json + shards → .msgpack equals the in-process import and converts back; bad paths are refused', async () => {
    const t = tf!;
    const m = t.sequential();
    m.add(t.layers.embedding({ inputDim: 17, outputDim: 5, inputLength: 8 }));
    m.add(t.layers.gru({ units: 7, returnSequences: true }));
    m.add(t.layers.dense({ units: 17, activation: 'softmax' }));
    let json = '';
    let shards: Uint8Array[] = [];
    await m.save(
      t.io.withSaveHandler(async (artifacts) => {
        const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer);
        shards = [bytes.slice(0, 101), bytes.slice(101)];
        json = JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['a.bin', 'b.bin'], weights: artifacts.weightSpecs }] });
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    writeFileSync(join(directory, 'model.json'), json);
    writeFileSync(join(directory, 'a.bin'), shards[0]);
    writeFileSync(join(directory, 'b.bin'), shards[1]);
    const report = await convert(join(directory, 'model.json'), join(directory, 'out.msgpack'));
    expect(report).toMatch(/\(tfjs\) → .*out\.msgpack \(msgpack, f32, \d+ bytes\): 1-layer gru-reset-before \(gates hard-sigmoid\), embedding 17×5, hidden 7, softmax head 17/);
    const converted = await loadModel(join(directory, 'out.msgpack'));
    const direct = importTfjsLayers(json, shards);
    const a = converted.session();
    const b = direct.session();
    for (const token of [3, 1, 16, 0, 9, 9, 4]) expect(Array.from(a.step(token))).toEqual(Array.from(b.step(token)));

    const escaping = JSON.parse(json);
    escaping.weightsManifest[0].paths = ['../a.bin', 'b.bin'];
    writeFileSync(join(directory, 'escaping.json'), JSON.stringify(escaping));
    const error = await refusal(join(directory, 'escaping.json'), join(directory, 'x.msgpack'));
    expect(error.code).toBe(ErrorCode.TFJS_INVALID);
    expect(error.message).toMatch(/weight path "\.\.\/a\.bin" is not a file name beside model\.json/);

    // And back: .msgpack → model.json + shard → .msgpack keeps every step.
    await convert(join(directory, 'out.msgpack'), join(directory, 'back.json'));
    await convert(join(directory, 'back.json'), join(directory, 'again.msgpack'));
    const again = (await loadModel(join(directory, 'again.msgpack'))).session();
    const first = converted.session();
    for (const token of [5, 2, 2, 16]) expect(Array.from(again.step(token))).toEqual(Array.from(first.step(token)));
    expect((await refusal(join(directory, 'out.msgpack'), join(directory, 'back.json'), '--dtype', 'q8')).code).toBe(ErrorCode.CONVERT_OPTION_INVALID);
  }, 60_000);

  it('a mixed stack (LSTM 24 → GRU 16) converts to a version-4 .msgpack and back, described per layer', async () => {
    const t = tf!;
    const m = t.sequential();
    m.add(t.layers.embedding({ inputDim: 17, outputDim: 5, inputLength: 8 }));
    m.add(t.layers.lstm({ units: 24, returnSequences: true }));
    m.add(t.layers.gru({ units: 16, returnSequences: true }));
    m.add(t.layers.dense({ units: 17, activation: 'softmax' }));
    let json = '';
    let weights = new Uint8Array(0);
    await m.save(
      t.io.withSaveHandler(async (artifacts) => {
        weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
        json = JSON.stringify({ modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['mixed.bin'], weights: artifacts.weightSpecs }] });
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    writeFileSync(join(directory, 'mixed.json'), json);
    writeFileSync(join(directory, 'mixed.bin'), weights);
    const report = await convert(join(directory, 'mixed.json'), join(directory, 'mixed.msgpack'));
    expect(report).toMatch(/2 layers \(lstm:24 \(hard-sigmoid\), gru-reset-before:16 \(hard-sigmoid\)\), embedding 17×5, softmax head 17/);
    const converted = await loadModel(join(directory, 'mixed.msgpack'));
    await convert(join(directory, 'mixed.msgpack'), join(directory, 'mixed-back.json'));
    await convert(join(directory, 'mixed-back.json'), join(directory, 'mixed-again.msgpack'));
    const again = (await loadModel(join(directory, 'mixed-again.msgpack'))).session();
    const first = converted.session();
    for (const token of [5, 2, 2, 16, 0]) expect(Array.from(again.step(token))).toEqual(Array.from(first.step(token)));
  }, 60_000);
});
