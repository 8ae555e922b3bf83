import { decode } from '@msgpack/msgpack';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, fromTorchStateDict, Model, Q8Matrix, type TorchTensor } from '../../src/index.ts';
import { loadTorchFixture, maxAbsDiff } from '../helpers/fixtures.ts';
import { GOLDEN_EXTRAS, GOLDEN_INPUTS, TIED_ARCHITECTURE } from './golden-model.ts';

// The committed golden files pin the format: they must keep loading to the
// same outputs (within 1e-5 of what they gave when written, so a faster
// kernel with another summation order passes but a semantic change fails),
// reproduce PyTorch within docs/FORMAT.md's tolerances, and a writer given
// the same model must still produce the same bytes.
const TOLERANCE = { f32: 2e-5, f16: 1e-3, q8: 1e-2, q4: 1e-1 } as const;
const DRIFT = 1e-5;

const golden = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, import.meta.url)));
const expectedOutputs = JSON.parse(readFileSync(new URL('expected-outputs.json', import.meta.url), 'utf8')) as Record<string, number[]>;
const fixture = loadTorchFixture<{ params: Record<string, TorchTensor>; inputs: number[]; logits: { data: number[] } }>('lm_lstm_bptt');

function logitsOf(model: Model, inputs: readonly number[]): Float32Array {
  const session = model.session();
  return Float32Array.from(inputs.flatMap((token) => Array.from(session.step(token))));
}

describe.each(['f32', 'f16', 'q8', 'q4'] as const)('golden file lm_lstm.%s.msgpack', (dtype) => {
  const bytes = golden(`lm_lstm.${dtype}.msgpack`);
  const model = decodeModel(bytes);

  it('loads with its vocabulary, tokenizer and metadata', () => {
    expect(model.architecture).toEqual({ cell: 'lstm', input: 'embedding', vocabSize: 11, inputSize: 6, hiddenSize: 8, numLayers: 2, head: 'softmax', outputSize: 11 });
    expect(model.vocabulary).toEqual(GOLDEN_EXTRAS.vocabulary);
    expect(model.tokenizer).toEqual(GOLDEN_EXTRAS.tokenizer);
    expect(model.metadata).toEqual(GOLDEN_EXTRAS.metadata);
  });

  it(`reproduces the PyTorch logits within ${TOLERANCE[dtype]} and its own recorded outputs within ${DRIFT}`, () => {
    expect(GOLDEN_INPUTS).toEqual(fixture.inputs);
    const logits = logitsOf(model, GOLDEN_INPUTS);
    expect(maxAbsDiff(logits, fixture.logits.data)).toBeLessThan(TOLERANCE[dtype]);
    expect(maxAbsDiff(logits, expectedOutputs[`lm_lstm.${dtype}`])).toBeLessThan(DRIFT);
  });

  it('is what the writer still produces, from the loaded model and from the PyTorch weights', () => {
    expect(encodeModel(model)).toEqual(dtype === 'f16' ? encodeModel(model, { dtype: 'f32' }) : bytes); // an f16 file loads as f32 …
    expect(encodeModel(model, { dtype })).toEqual(bytes); // … and writes back to the same f16 bytes
    const base = fromTorchStateDict(fixture.params);
    const fresh = new Model({ embedding: base.embedding, layers: base.layers, head: base.head, ...GOLDEN_EXTRAS });
    expect(encodeModel(fresh, { dtype })).toEqual(bytes);
  });
});

describe('golden file read by hand from docs/FORMAT.md (no library decoder)', () => {
  it('the q8 file holds int8 rows and f32 scales that dequantize to the PyTorch weights within half a step', () => {
    const document = decode(golden('lm_lstm.q8.msgpack')) as { tensors: { name: string; dtype: string; shape: number[]; data: Uint8Array; scales?: Uint8Array; blockSize?: number }[] };
    const tensor = document.tensors.find((t) => t.name === 'head.weight')!;
    expect([tensor.dtype, tensor.shape, tensor.blockSize]).toEqual(['q8', [11, 8], 8]);
    const weights = fixture.params['out.weight'].data;
    const scales = new DataView(tensor.scales!.buffer, tensor.scales!.byteOffset, tensor.scales!.byteLength);
    for (let r = 0; r < 11; r++) {
      const scale = scales.getFloat32(r * 4, true);
      let maxAbs = 0;
      for (let c = 0; c < 8; c++) maxAbs = Math.max(maxAbs, Math.abs(weights[r * 8 + c]));
      expect(scale).toBeCloseTo(maxAbs / 127, 7);
      for (let c = 0; c < 8; c++) {
        const q = (tensor.data[r * 8 + c] << 24) >> 24; // the byte as int8
        expect(Math.abs(q * scale - weights[r * 8 + c])).toBeLessThanOrEqual(scale / 2 + 1e-7);
      }
    }
  });

  it('the f16 file holds little-endian binary16 values of the PyTorch weights', () => {
    const document = decode(golden('lm_lstm.f16.msgpack')) as { tensors: { name: string; dtype: string; data: Uint8Array }[] };
    const tensor = document.tensors.find((t) => t.name === 'embedding')!;
    const view = new DataView(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
    Array.from(fixture.params['emb.weight'].data).forEach((w, i) => {
      const bits = view.getUint16(i * 2, true);
      const exponent = (bits >> 10) & 31;
      const value = (bits >> 15 ? -1 : 1) * (exponent === 0 ? (bits & 1023) * 2 ** -24 : (1 + (bits & 1023) / 1024) * 2 ** (exponent - 15));
      expect(Math.abs(value - w)).toBeLessThanOrEqual(Math.abs(w) * 2 ** -11 + 2 ** -25);
    });
  });
});

describe('golden file tied.q8.msgpack', () => {
  const bytes = golden('tied.q8.msgpack');
  const model = decodeModel(bytes);

  it('restores the tied head as the embedding object, once, as q8', () => {
    expect(model.head!.weight).toBe(model.embedding);
    expect(model.embedding).toBeInstanceOf(Q8Matrix);
    expect(model.architecture).toEqual(TIED_ARCHITECTURE);
    const document = decode(bytes) as { tensors: Record<string, unknown>[] };
    expect(document.tensors.find((t) => t.name === 'head.weight')).toEqual({ name: 'head.weight', tiedTo: 'embedding' });
  });

  it('gives its recorded outputs and writes back to the same bytes', () => {
    const inputs = GOLDEN_INPUTS.map((token) => token % TIED_ARCHITECTURE.vocabSize);
    expect(maxAbsDiff(logitsOf(model, inputs), expectedOutputs['tied.q8'])).toBeLessThan(DRIFT);
    expect(encodeModel(model)).toEqual(bytes);
  });
});
