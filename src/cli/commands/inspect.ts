import { parseArgs } from 'node:util';
import { describeLayers, isMixedStack } from '../../model/architecture.ts';
import { LstmStreamError } from '../../errors.ts';
import { buildModel } from '../../format/build-model.ts';
import { DEFAULT_LIMITS } from '../../format/limits.ts';
import type { FileTensor, ModelFile } from '../../format/model-file.ts';
import { readModelFile } from '../../format/read-model-file.ts';
import { readSource } from '../../io/read-source.ts';
import type { Command } from '../command.ts';

const USAGE = `usage: lstm-stream inspect FILE [--json]

Prints what a model file holds: format version, checksum status, the
architecture, each tensor's name, dtype, shape and bytes, the vocabulary,
the tokenizer settings and the metadata, and whether the file loads.
A damaged file is still described as far as it can be read; the exit code
is 1 when the checksum does not match or the model does not load.
--json prints the same as one JSON object.`;

/** `lstm-stream inspect FILE`: describes a model file without trusting it. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'describe a model file: architecture, tensors, vocabulary, metadata, checksum',
  usage: USAGE,
  run: (args) => runInspect(args, (text) => process.stdout.write(text)),
};

/** The command's body, writing through `write` (tests capture it). Resolves to the exit code. */
export async function runInspect(args: string[], write: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) {
    write(`${USAGE}\n`);
    return 2;
  }
  const path = positionals[0];
  const bytes = await readSource(path, { maxBytes: DEFAULT_LIMITS.maxBytes });
  const file = readModelFile(bytes, { verifyChecksum: false });
  let loadError: LstmStreamError | null = null;
  let residentBytes = 0;
  try {
    residentBytes = buildModel(file).byteLength;
  } catch (error) {
    if (!(error instanceof LstmStreamError)) throw error;
    loadError = error;
  }
  const loads = file.checksum.ok && loadError === null;
  if (values.json) {
    write(`${JSON.stringify(summary(path, file, loadError, residentBytes), jsonSafe, 2)}\n`);
    return loads ? 0 : 1;
  }
  const a = file.architecture;
  const lines: string[] = [];
  lines.push(`${path}: lstm-stream model file, format version ${file.version}, ${file.byteLength} bytes`);
  lines.push(
    file.checksum.ok
      ? `checksum: CRC-32 ${hex(file.checksum.stored)}, ok`
      : `checksum: MISMATCH: the file says ${hex(file.checksum.stored)}, its bytes give ${hex(file.checksum.computed)}; the file is damaged`,
  );
  lines.push(
    (isMixedStack(a)
      ? `architecture: ${a.numLayers} layers of their own kind and size, ${describeLayers(a)} (bottom first), `
      : `architecture: ${a.cell}, ${a.numLayers} layer${a.numLayers === 1 ? '' : 's'}, hidden ${a.hiddenSize}, ` +
        (a.layers === undefined ? '' : `gates ${a.layers.map((layer) => layer.gateActivation).join(' / ')} (bottom first), `)) +
      (a.input === 'embedding' ? `embedding input (vocabulary ${a.vocabSize}, size ${a.inputSize})` : `dense input (size ${a.inputSize})`) +
      (a.head === 'none' ? ', no head' : `, ${a.head} head (${a.outputSize} outputs)`) +
      (isClassLayer(file.metadata.outputClasses) ? `, factorized into ${file.metadata.outputClasses.classCount} frequency classes (metadata.outputClasses)` : ''),
  );
  lines.push('tensors:');
  const rows = file.tensors.map((t) => [t.name, t.tiedTo !== null ? '-' : (t.dtype as string), t.tiedTo !== null ? '-' : `[${t.shape.join(', ')}]`, describeBytes(t)]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length), ['name', 'dtype', 'shape'][i].length));
  lines.push(`  ${'name'.padEnd(widths[0])}  ${'dtype'.padEnd(widths[1])}  ${'shape'.padEnd(widths[2])}  bytes`);
  for (const r of rows) lines.push(`  ${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2].padEnd(widths[2])}  ${r[3]}`);
  const tensorBytes = file.tensors.reduce((sum, t) => sum + t.data.length + (t.scales?.length ?? 0), 0);
  lines.push(`  ${file.tensors.length} tensors, ${tensorBytes} bytes of tensor data`);
  if (file.vocabulary !== null) {
    const shown = file.vocabulary.slice(0, 12).map((token) => JSON.stringify(token)).join(', ');
    lines.push(`vocabulary: ${file.vocabulary.length} entries: ${shown}${file.vocabulary.length > 12 ? ', …' : ''}`);
  } else {
    lines.push('vocabulary: none');
  }
  lines.push(`tokenizer: ${file.tokenizer === null ? 'none' : JSON.stringify(file.tokenizer)}`);
  const metadata = JSON.stringify(file.metadata, jsonSafe, 2);
  lines.push(`metadata: ${metadata === '{}' ? 'none' : metadata.replace(/\n/g, '\n  ')}`);
  const rest = loadError === null ? `everything else checks out (${residentBytes} bytes of weights when loaded)` : `${loadError.message} [${loadError.code}]`;
  if (!file.checksum.ok) lines.push(`loads: no: the checksum does not match [CHECKSUM_MISMATCH]; past the checksum, ${rest}`);
  else lines.push(loadError === null ? `loads: yes, ${residentBytes} bytes of weights resident` : `loads: no: ${rest}`);
  write(`${lines.join('\n')}\n`);
  return loads ? 0 : 1;
}

function describeBytes(t: FileTensor): string {
  if (t.tiedTo !== null) return `tied to ${t.tiedTo} (stored once)`;
  if (t.dtype !== 'q8' && t.dtype !== 'q4') return String(t.data.length);
  const perRow = (t.blockSize as number) >= t.shape[1];
  return `${t.data.length} + ${t.scales!.length} scales (${perRow ? 'one per row' : `one per ${t.blockSize} columns`})`;
}

function summary(path: string, file: ModelFile, loadError: LstmStreamError | null, residentBytes: number): Record<string, unknown> {
  return {
    path,
    format: 'lstm-stream',
    version: file.version,
    byteLength: file.byteLength,
    checksum: { stored: hex(file.checksum.stored), computed: hex(file.checksum.computed), ok: file.checksum.ok },
    architecture: file.architecture,
    tensors: file.tensors.map((t) =>
      t.tiedTo !== null
        ? { name: t.name, tiedTo: t.tiedTo }
        : { name: t.name, dtype: t.dtype, shape: t.shape, bytes: t.data.length, scaleBytes: t.scales?.length ?? 0, blockSize: t.blockSize ?? undefined },
    ),
    vocabularySize: file.vocabulary?.length ?? 0,
    vocabulary: file.vocabulary,
    tokenizer: file.tokenizer,
    metadata: file.metadata,
    loads: loadError === null && file.checksum.ok,
    residentBytes: loadError === null ? residentBytes : undefined,
    error: loadError === null ? undefined : { code: loadError.code, message: loadError.message },
  };
}

/** JSON.stringify replacer: binary metadata values print as their length, not as thousands of numbers. */
function jsonSafe(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? `<binary, ${value.length} bytes>` : value;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

function isClassLayer(value: unknown): value is { classCount: number } {
  return typeof value === 'object' && value !== null && typeof (value as { classCount?: unknown }).classCount === 'number';
}
