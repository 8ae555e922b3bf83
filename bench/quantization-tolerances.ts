// How far f16, q8 and q4 model files land from PyTorch's float64 outputs on the
// fixtures in test/fixtures/torch: the measurement behind the tolerances in
// docs/FORMAT.md and test/format/round-trip.test.ts.
// Run: node_modules/.bin/bun bench/quantization-tolerances.ts   (or deno run -A)
import { readFileSync } from 'node:fs';
import { decodeModel, encodeModel, fromTorchStateDict, type CellKind, type Model } from '../src/index.ts';

interface Tensor {
  shape: number[];
  data: number[];
}
const load = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../test/fixtures/torch/${name}.json`, import.meta.url), 'utf8'));

function outputs(model: Model, fixture: Record<string, unknown>): Float32Array {
  const session = model.session();
  const result: number[] = [];
  if (Array.isArray(fixture.inputs)) {
    for (const token of fixture.inputs as number[]) result.push(...session.step(token));
  } else {
    const x = fixture.x as Tensor;
    session.h.set((fixture.h0 as Tensor).data);
    if (fixture.c0) session.c!.set((fixture.c0 as Tensor).data);
    const I = x.shape[1];
    for (let t = 0; t < x.shape[0]; t++) result.push(...session.step(Float32Array.from(x.data.slice(t * I, (t + 1) * I))));
  }
  return Float32Array.from(result);
}

const rows: string[] = ['| fixture | f32 | f16 | q8 (per row) | q8 (blocks of 32) | q4 (blocks of 32) |', '|---|---|---|---|---|---|'];
for (const name of ['lstm_1layer', 'lstm_2layer', 'rnn_tanh', 'rnn_relu_2layer', 'lm_lstm_bptt', 'lm_rnn_bptt']) {
  const fixture = load(name);
  const cell: CellKind | undefined = fixture.kind === 'rnn' ? (fixture.nonlinearity === 'relu' ? 'rnn-relu' : 'rnn-tanh') : undefined;
  const model = fromTorchStateDict(fixture.params as Record<string, Tensor>, { cell });
  const expected = ((fixture.logits ?? fixture.y) as Tensor).data;
  const cells = [
    { dtype: 'f32' as const },
    { dtype: 'f16' as const },
    { dtype: 'q8' as const },
    { dtype: 'q8' as const, blockSize: 32 },
    { dtype: 'q4' as const },
  ].map((options) => {
    const got = outputs(decodeModel(encodeModel(model, options)), fixture);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    return worst.toExponential(2);
  });
  rows.push(`| ${name} | ${cells.join(' | ')} |`);
}
console.log('largest |output - PyTorch float64| over every step of each fixture\n');
console.log(rows.join('\n'));
