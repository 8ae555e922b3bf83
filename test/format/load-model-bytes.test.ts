import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCell, createRandomModel, encodeModel, loadModel, Model, Q8Matrix } from '../../src/index.ts';

/** A token LSTM model with int8 weights and a tied head, like the shipped one. */
function q8Model(): Model {
  const f32 = createRandomModel({ cell: 'lstm', input: 'embedding', vocabSize: 61, inputSize: 16, hiddenSize: 16, numLayers: 1, head: 'softmax', outputSize: 61 }, { seed: 3 });
  const table = f32.embedding!;
  const tied = Q8Matrix.fromFloat32(table.rows, table.cols, table.toFloat32());
  const layer = f32.layers[0];
  const cell = createCell('lstm', 16, 16, Q8Matrix.fromFloat32(layer.weight.rows, layer.weight.cols, layer.weight.toFloat32()), layer.bias);
  return new Model({ embedding: tied, layers: [cell], head: { kind: 'softmax', weight: tied, bias: f32.head!.bias } });
}

describe('loadModel and the bytes it reads', () => {
  const bytes = encodeModel(q8Model());

  it('from a file, the int8 weights are views of the bytes it read (no second copy while loading)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lstm-stream-load-')), 'model.msgpack');
    writeFileSync(path, bytes);
    const model = await loadModel(path);
    const head = (model.head!.weight as Q8Matrix).data;
    const layer = (model.layers[0].weight as Q8Matrix).data;
    // Both tensors lie in the one buffer the file was read into, at their offsets in the file.
    expect(head.buffer).toBe(layer.buffer);
    expect(head.buffer.byteLength).toBeGreaterThanOrEqual(bytes.length);
    const atHead = new Uint8Array(head.buffer, head.byteOffset, head.byteLength);
    expect(Array.from(atHead)).toEqual(Array.from(bytes.subarray(head.byteOffset, head.byteOffset + head.byteLength)));
  });

  it("from the caller's own bytes, the weights are copies: changing the bytes afterwards changes nothing", async () => {
    const own = bytes.slice();
    const model = await loadModel(own);
    const head = model.head!.weight as Q8Matrix;
    expect(head.data.buffer).not.toBe(own.buffer);
    const before = Array.from(model.session().step(5));
    own.fill(0);
    expect(Array.from(model.session().step(5))).toEqual(before);
  });
});
