import { parseArgs } from 'node:util';
import { ErrorCode } from '../../errors.ts';
import { FormatError } from '../../format/errors.ts';
import { loadModel } from '../../format/load-model.ts';
import { TENSOR_DTYPES, type TensorDtype } from '../../format/model-file.ts';
import { saveModel } from '../../format/save-model.ts';
import { importFsPromises } from '../../io/node-modules.ts';
import type { Command } from '../command.ts';

const USAGE = `usage: lstm-stream quantize IN OUT --dtype f32|f16|q8|q4 [--block-size N]

Rewrites the model file IN as OUT with its weight matrices (embedding,
recurrent weights, head) stored as --dtype; biases stay f32. q8 uses one
scale per row unless --block-size N asks for one scale per N columns (32 is
GGML's Q8_0 layout); q4 (4-bit) uses blocks of 32 unless --block-size
gives another even size. OUT is written atomically (a temporary file, then a
rename), so it can be IN itself.`;

/** `lstm-stream quantize IN OUT --dtype q8`: converts a model file's storage type. */
export const quantizeCommand: Command = {
  name: 'quantize',
  summary: 'rewrite a model file as f32, f16, q8 or q4',
  usage: USAGE,
  run: (args) => runQuantize(args, (text) => process.stdout.write(text)),
};

/** The command's body, writing through `write` (tests capture it). Resolves to the exit code. */
export async function runQuantize(args: string[], write: (text: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { dtype: { type: 'string' }, 'block-size': { type: 'string' } },
  });
  if (positionals.length !== 2 || values.dtype === undefined) {
    write(`${USAGE}\n`);
    return 2;
  }
  const dtype = values.dtype as TensorDtype;
  if (!TENSOR_DTYPES.includes(dtype)) {
    throw new FormatError(ErrorCode.UNKNOWN_DTYPE, `--dtype ${JSON.stringify(values.dtype)}: expected one of ${TENSOR_DTYPES.join(', ')}`);
  }
  const blockSize = values['block-size'] === undefined ? undefined : Number(values['block-size']);
  if (blockSize !== undefined && dtype !== 'q8' && dtype !== 'q4') {
    throw new FormatError(ErrorCode.INVALID_FIELD, '--block-size applies to --dtype q8 and q4 only');
  }
  const [input, output] = positionals;
  const inputBytes = (await (await importFsPromises()).stat(input)).size;
  const model = await loadModel(input);
  const written = await saveModel(output, model, { dtype, blockSize });
  const kinds = [...new Set([model.embedding, ...model.layers.map((l) => l.weight), model.head?.weight].filter((m) => m != null).map((m) => m!.dtype))].join('+');
  write(
    `${input} (${kinds}, ${inputBytes} bytes) → ${output} (${dtype}${blockSize === undefined ? '' : `, blocks of ${blockSize}`}, ${written} bytes, ${(written / inputBytes).toFixed(3)}× the input)\n`,
  );
  return 0;
}
