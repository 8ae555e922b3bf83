// What the golden files hold besides the PyTorch fixture's weights; shared by
// make-golden.ts (which wrote them) and golden.test.ts (which checks them).

/** Vocabulary, tokenizer and metadata stored in the lm_lstm golden files. */
export const GOLDEN_EXTRAS = {
  vocabulary: ['<unk>', 'the', 'cat', 'sat', 'on', 'a', 'mat', '.', 'dog', 'ran', 'ünïcødé'],
  tokenizer: { kind: 'word', unknownToken: '<unk>', lowercase: true },
  metadata: {
    source: 'test/fixtures/torch/lm_lstm_bptt.json (PyTorch 2.11, float64 weights rounded to f32)',
    license: 'MIT',
    createdAt: '2026-11-27T00:00:00.000Z',
    metrics: { note: 'random weights; not trained' },
  },
} as const;

/** The fixture's `inputs` (lm_lstm_bptt.json): the golden outputs are the logits of these steps from a zero state. */
export const GOLDEN_INPUTS = [5, 4, 0, 10, 9, 2, 0, 3, 6, 8, 8, 1, 5, 6, 9, 3];

/** A model whose head shares the embedding (E = H): checks that a tie survives the file. */
export const TIED_ARCHITECTURE = { cell: 'lstm', input: 'embedding', vocabSize: 7, inputSize: 5, hiddenSize: 5, numLayers: 1, head: 'softmax', outputSize: 7 } as const;
