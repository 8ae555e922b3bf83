import { describe, expect, it } from 'vitest';
import { fromTorchStateDict, toTorchStateDict, type CellKind } from '../../src/index.ts';
import { loadTorchFixture, maxAbsDiff, rowOf, type FixtureTensor } from '../helpers/fixtures.ts';

const TOLERANCE = 2e-5;

interface StackFixture {
  kind: 'lstm' | 'rnn';
  nonlinearity: 'tanh' | 'relu' | null;
  input_size: number;
  hidden_size: number;
  num_layers: number;
  seq_len: number;
  params: Record<string, FixtureTensor>;
  x: FixtureTensor;
  h0: FixtureTensor;
  c0?: FixtureTensor;
  y: FixtureTensor;
  h_n: FixtureTensor;
  c_n?: FixtureTensor;
}

interface LanguageModelFixture {
  kind: 'lstm' | 'rnn';
  vocab: number;
  seq_len: number;
  params: Record<string, FixtureTensor>;
  inputs: number[];
  logits: FixtureTensor;
}

function cellOf(fixture: { kind: string; nonlinearity?: string | null }): CellKind {
  return fixture.kind === 'lstm' ? 'lstm' : fixture.nonlinearity === 'relu' ? 'rnn-relu' : 'rnn-tanh';
}

describe.each(['lstm_1layer', 'lstm_2layer', 'rnn_tanh', 'rnn_relu_2layer'])('stack fixture %s', (name) => {
  const fixture = loadTorchFixture<StackFixture>(name);

  it('reproduces y, h_n and c_n from h0 and c0', () => {
    const model = fromTorchStateDict(fixture.params, { cell: cellOf(fixture) });
    expect(model.architecture).toMatchObject({
      cell: cellOf(fixture),
      input: 'dense',
      inputSize: fixture.input_size,
      hiddenSize: fixture.hidden_size,
      numLayers: fixture.num_layers,
      head: 'none',
    });
    const session = model.session();
    session.h.set(fixture.h0.data);
    if (fixture.c0) session.c!.set(fixture.c0.data);
    let worst = 0;
    for (let t = 0; t < fixture.seq_len; t++) {
      const y = session.step(rowOf(fixture.x, t));
      worst = Math.max(worst, maxAbsDiff(y, rowOf(fixture.y, t)));
    }
    worst = Math.max(worst, maxAbsDiff(session.h, fixture.h_n.data), fixture.c_n ? maxAbsDiff(session.c!, fixture.c_n.data) : 0);
    console.log(`${name}: max abs error ${worst.toExponential(2)} over y, h_n, c_n`);
    expect(worst).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(session.h, fixture.h_n.data)).toBeLessThan(TOLERANCE);
    if (fixture.c_n) expect(maxAbsDiff(session.c!, fixture.c_n.data)).toBeLessThan(TOLERANCE);
    else expect(session.c).toBeNull();
  });

  it('infers the cell kind from the shapes when not told (LSTM by its 4H rows)', () => {
    const model = fromTorchStateDict(fixture.params);
    expect(model.architecture.cell).toBe(fixture.kind === 'lstm' ? 'lstm' : 'rnn-tanh');
  });
});

describe.each(['lm_lstm_bptt', 'lm_lstm_tbptt', 'lm_rnn_bptt'])('language-model fixture %s', (name) => {
  const fixture = loadTorchFixture<LanguageModelFixture>(name);

  it('reproduces the logits of every step from a zero state', () => {
    const model = fromTorchStateDict(fixture.params);
    expect(model.architecture.input).toBe('embedding');
    expect(model.architecture.head).toBe('softmax');
    expect(model.architecture.vocabSize).toBe(fixture.vocab);
    const session = model.session();
    let worst = 0;
    fixture.inputs.forEach((token, t) => {
      worst = Math.max(worst, maxAbsDiff(session.step(token), rowOf(fixture.logits, t)));
    });
    console.log(`${name}: max abs error ${worst.toExponential(2)} over the logits`);
    expect(worst).toBeLessThan(TOLERANCE);
  });

  it('round-trips through toTorchStateDict to the same outputs', () => {
    const model = fromTorchStateDict(fixture.params);
    const again = fromTorchStateDict(toTorchStateDict(model));
    const a = model.session();
    const b = again.session();
    for (const token of fixture.inputs) {
      expect(maxAbsDiff(a.step(token), b.step(token))).toBeLessThan(1e-6);
    }
    const dict = toTorchStateDict(model);
    expect(Object.keys(dict).sort()).toEqual(Object.keys(fixture.params).sort());
    // The fused bias goes to bias_ih, zeros to bias_hh.
    const summed = fixture.params['rnn.bias_ih_l0'].data.map((v, i) => v + fixture.params['rnn.bias_hh_l0'].data[i]);
    expect(maxAbsDiff(dict['rnn.bias_ih_l0'].data, summed)).toBeLessThan(1e-6);
    expect(Array.from(dict['rnn.bias_hh_l0'].data).every((v) => v === 0)).toBe(true);
  });
});
