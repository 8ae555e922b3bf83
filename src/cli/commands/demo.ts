import { parseArgs } from 'node:util';
import { createRandomModel } from '../../model/random-model.ts';
import { topKInto } from '../../math/top-k.ts';
import { softmaxInto } from '../../math/softmax.ts';
import type { Command } from '../command.ts';

const USAGE = `usage: lstm-stream demo [--hidden N] [--layers N] [--vocab N] [--steps N] [--seed N]

Builds an LSTM language model with random (untrained) weights, streams token
ids through one session, and prints each step's top-5 next tokens, the step
time, and what fork/snapshot do. It shows the API and its speed, not language:
the predictions of random weights mean nothing.`;

/** `lstm-stream demo`: the built-in demo on a random-weight model. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'stream tokens through a random-weight LSTM and show the API and step time',
  usage: USAGE,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        hidden: { type: 'string', default: '128' },
        layers: { type: 'string', default: '2' },
        vocab: { type: 'string', default: '1000' },
        steps: { type: 'string', default: '2000' },
        seed: { type: 'string', default: '7' },
      },
    });
    const hiddenSize = Number(values.hidden);
    const vocabSize = Number(values.vocab);
    const steps = Number(values.steps);
    const model = createRandomModel(
      { cell: 'lstm', input: 'embedding', vocabSize, inputSize: hiddenSize, hiddenSize, numLayers: Number(values.layers), head: 'softmax', outputSize: vocabSize },
      { seed: Number(values.seed) },
    );
    const a = model.architecture;
    const out = process.stdout;
    out.write(`demo model: LSTM, ${a.numLayers} layers, hidden ${a.hiddenSize}, vocabulary ${a.vocabSize} (random weights), ${(model.byteLength / 1024).toFixed(0)} KiB of weights\n`);
    const session = model.session();
    out.write(`one session: ${session.byteLength} bytes of state and scratch\n\n`);

    const top = new Int32Array(5);
    const probabilities = new Float32Array(vocabSize);
    const tokens = [17, 4, 256, 9, 640];
    for (const token of tokens) {
      const logits = session.step(token);
      softmaxInto(probabilities, logits);
      topKInto(top, null, probabilities);
      const shown = Array.from(top, (id) => `${id} (${(probabilities[id] * 100).toFixed(2)}%)`).join(', ');
      out.write(`after token ${String(token).padStart(4)}: top-5 next ${shown}\n`);
    }

    const fork = session.fork();
    const snapshot = session.snapshot();
    session.step(1);
    session.restore(snapshot);
    out.write(`\nfork() copies the state (${fork.stateSize} floats); restore(snapshot) rewinds a session.\n`);

    const start = performance.now();
    let token = 0;
    for (let i = 0; i < steps; i++) {
      const logits = session.step(token);
      token = (token * 31 + 7 + (logits[0] > 0 ? 1 : 0)) % vocabSize;
    }
    const microseconds = ((performance.now() - start) * 1000) / steps;
    out.write(`${steps} steps: ${microseconds.toFixed(1)} µs per step (LSTM stack + ${vocabSize}-way output layer)\n`);
    return 0;
  },
};
