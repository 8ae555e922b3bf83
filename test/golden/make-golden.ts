// Writes the golden model files in this folder. Run ONLY when the format
// version changes on purpose (then say so in the commit); the golden test
// exists to notice when anything else changes the bytes or the outputs.
// Run: node_modules/.bin/bun test/golden/make-golden.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { createRandomModel, decodeModel, encodeModel, fromTorchStateDict, Model, type TorchTensor } from '../../src/index.ts';
import { GOLDEN_EXTRAS, GOLDEN_INPUTS, TIED_ARCHITECTURE } from './golden-model.ts';

const here = (name: string): URL => new URL(name, import.meta.url);
const fixture = JSON.parse(readFileSync(here('../fixtures/torch/lm_lstm_bptt.json'), 'utf8')) as { params: Record<string, TorchTensor> };
const base = fromTorchStateDict(fixture.params);
const model = new Model({ embedding: base.embedding, layers: base.layers, head: base.head, ...GOLDEN_EXTRAS });

const expected: Record<string, number[]> = {};
for (const dtype of ['f32', 'f16', 'q8', 'q4'] as const) {
  const bytes = encodeModel(model, { dtype });
  writeFileSync(here(`lm_lstm.${dtype}.msgpack`), bytes);
  const session = decodeModel(bytes).session();
  expected[`lm_lstm.${dtype}`] = GOLDEN_INPUTS.flatMap((token) => Array.from(session.step(token)));
}
const random = createRandomModel(TIED_ARCHITECTURE, { seed: 9 });
const tied = new Model({ embedding: random.embedding, layers: random.layers, head: { kind: 'softmax', weight: random.embedding!, bias: random.head!.bias } });
const tiedBytes = encodeModel(tied, { dtype: 'q8' });
writeFileSync(here('tied.q8.msgpack'), tiedBytes);
const session = decodeModel(tiedBytes).session();
expected['tied.q8'] = GOLDEN_INPUTS.map((token) => token % TIED_ARCHITECTURE.vocabSize).flatMap((token) => Array.from(session.step(token)));
writeFileSync(here('expected-outputs.json'), `${JSON.stringify(expected, null, 1)}\n`);
console.log('wrote', Object.keys(expected).join(', '));
