import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInspect } from '../../src/cli/commands/inspect.ts';
import { runQuantize } from '../../src/cli/commands/quantize.ts';
import { decodeModel, ErrorCode, FormatError, Q8Matrix } from '../../src/index.ts';

const golden = (name: string): string => new URL(`../golden/${name}`, import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-cli-'));

async function run(command: typeof runInspect, args: string[]): Promise<{ code: number; text: string }> {
  let text = '';
  const code = await command(args, (chunk) => (text += chunk));
  return { code, text };
}

describe('lstm-stream inspect', () => {
  it('prints architecture, every tensor with dtype, shape and bytes, vocabulary, tokenizer, metadata and checksum status', async () => {
    const { code, text } = await run(runInspect, [golden('lm_lstm.q8.msgpack')]);
    expect(code).toBe(0);
    expect(text).toContain('format version 1, 2615 bytes');
    expect(text).toMatch(/checksum: CRC-32 0x[0-9a-f]{8}, ok/);
    expect(text).toContain('architecture: lstm, 2 layers, hidden 8, embedding input (vocabulary 11, size 6), softmax head (11 outputs)');
    expect(text).toMatch(/layers\.0\.weight\s+q8\s+\[32, 14\]\s+448 \+ 128 scales \(one per row\)/);
    expect(text).toMatch(/head\.bias\s+f32\s+\[11\]\s+44/);
    expect(text).toContain('vocabulary: 11 entries: "<unk>", "the", "cat"');
    expect(text).toContain('"license": "MIT"');
    expect(text).toContain('loads: yes, 1758 bytes of weights resident');
  });

  it('shows a tied head as stored once', async () => {
    const { text } = await run(runInspect, [golden('tied.q8.msgpack')]);
    expect(text).toMatch(/head\.weight\s+-\s+-\s+tied to embedding \(stored once\)/);
  });

  it('reports a damaged file: checksum mismatch, exit code 1, still describing it', async () => {
    const bytes = new Uint8Array(readFileSync(golden('lm_lstm.f32.msgpack')));
    bytes[3000] ^= 0xff;
    const path = join(directory, 'damaged.msgpack');
    writeFileSync(path, bytes);
    const { code, text } = await run(runInspect, [path]);
    expect(code).toBe(1);
    expect(text).toMatch(/checksum: MISMATCH: the file says 0x[0-9a-f]{8}, its bytes give 0x[0-9a-f]{8}; the file is damaged/);
    expect(text).toContain('loads: no: the checksum does not match');
    const json = JSON.parse((await run(runInspect, [path, '--json'])).text);
    expect(json.checksum.ok).toBe(false);
    expect(json.tensors).toHaveLength(7);
  });

  it('throws FormatError for a file that cannot be parsed at all', async () => {
    const path = join(directory, 'text.msgpack');
    writeFileSync(path, 'hello');
    await expect(run(runInspect, [path])).rejects.toThrow(FormatError);
  });
});

describe('lstm-stream quantize', () => {
  it('rewrites an f32 file as q8 (per row, or blocks) and f16, atomically, and reports the sizes', async () => {
    const output = join(directory, 'model.q8.msgpack');
    const { code, text } = await run(runQuantize, [golden('lm_lstm.f32.msgpack'), output, '--dtype', 'q8']);
    expect(code).toBe(0);
    expect(text).toContain(`(f32, 5539 bytes) → ${output} (q8, ${statSync(output).size} bytes`);
    expect(new Uint8Array(readFileSync(output))).toEqual(new Uint8Array(readFileSync(golden('lm_lstm.q8.msgpack'))));
    const blocks = join(directory, 'model.q8b.msgpack');
    await run(runQuantize, [golden('lm_lstm.f32.msgpack'), blocks, '--dtype', 'q8', '--block-size', '4']);
    expect((decodeModel(new Uint8Array(readFileSync(blocks))).layers[0].weight as Q8Matrix).blockSize).toBe(4);
    const half = join(directory, 'model.f16.msgpack');
    await run(runQuantize, [golden('lm_lstm.f32.msgpack'), half, '--dtype', 'f16']);
    expect(new Uint8Array(readFileSync(half))).toEqual(new Uint8Array(readFileSync(golden('lm_lstm.f16.msgpack'))));
  });

  it('refuses an unknown dtype and prints usage without one', async () => {
    await expect(run(runQuantize, [golden('lm_lstm.f32.msgpack'), join(directory, 'x'), '--dtype', 'q3'])).rejects.toMatchObject({ code: ErrorCode.UNKNOWN_DTYPE });
    const { code, text } = await run(runQuantize, [golden('lm_lstm.f32.msgpack')]);
    expect(code).toBe(2);
    expect(text).toContain('usage: lstm-stream quantize IN OUT --dtype');
  });
});
