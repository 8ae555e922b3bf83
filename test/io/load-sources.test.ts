import { mkdtempSync, readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, ErrorCode, FormatError, loadModel, saveModel, SourceError, type Model } from '../../src/index.ts';
import { smallModel } from '../format/model-file-helpers.ts';

const model = smallModel();
const bytes = encodeModel(model, { dtype: 'q8' });
const directory = mkdtempSync(join(tmpdir(), 'lstm-stream-io-'));
const path = join(directory, 'model.msgpack');
writeFileSync(path, bytes);

/** Logits of a few steps: two models are the same model when these agree exactly. */
function fingerprint(m: Model): number[] {
  const session = m.session();
  return [1, 4, 2, 5].flatMap((token) => Array.from(session.step(token)));
}
const expected = fingerprint(decodeModel(bytes)); // the reference: decoding the bytes in memory

function chunkedStream(data: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      controller.enqueue(data.slice(offset, offset + size));
      offset += size;
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('loadModel reads every kind of source to the same model', () => {
  const padded = new Uint8Array(bytes.length + 10);
  padded.set(bytes, 5);
  const sources: [string, () => unknown][] = [
    ['Uint8Array', () => bytes],
    ['ArrayBuffer', () => bytes.slice().buffer],
    ['a view at an offset (DataView)', () => new DataView(padded.buffer, 5, bytes.length)],
    ['file path', () => path],
    ['file: URL object', () => pathToFileURL(path)],
    ['file: URL string', () => pathToFileURL(path).href],
    ['data: URL', () => new URL(`data:application/octet-stream;base64,${btoa(String.fromCharCode(...bytes))}`)],
    ['fetch Response', () => new Response(bytes)],
    ['Blob', () => new Blob([bytes])],
    ['ReadableStream in 7-byte chunks', () => chunkedStream(bytes, 7)],
  ];
  it.each(sources)('%s', async (_name, source) => {
    expect(fingerprint(await loadModel(source() as Uint8Array))).toEqual(expected);
  });
});

describe('loadModel refuses what it cannot or must not read', () => {
  it('a source over maxBytes is a FormatError LIMIT_EXCEEDED, checked before reading where the size is known', async () => {
    const limit = { maxBytes: bytes.length - 1 };
    for (const source of [bytes, path, new Blob([bytes]), chunkedStream(bytes, 100), new Response(bytes, { headers: { 'content-length': String(bytes.length) } })]) {
      const error = await rejection(loadModel(source as Uint8Array, limit));
      expect(error).toBeInstanceOf(FormatError);
      expect(error.code).toBe(ErrorCode.LIMIT_EXCEEDED);
      expect(error.message).toMatch(new RegExp(`maxBytes limit of ${bytes.length - 1}`));
    }
    // A stream that lies about its length is cut off once it passes the limit.
    const endless = new ReadableStream<Uint8Array>({ pull: (c) => c.enqueue(new Uint8Array(1024)) });
    expect((await rejection(loadModel(endless, { maxBytes: 10_000 }))).code).toBe(ErrorCode.LIMIT_EXCEEDED);
  });

  it('a missing file, an HTTP error, a bad stream or an unsupported source: SourceError naming it', async () => {
    const missing = await rejection(loadModel(join(directory, 'nope.msgpack')));
    expect(missing).toBeInstanceOf(SourceError);
    expect(missing.code).toBe(ErrorCode.SOURCE_READ_FAILED);
    expect(missing.message).toContain('nope.msgpack');
    const http = await rejection(loadModel(new Response('gone', { status: 404, statusText: 'Not Found' })));
    expect([http.code, http.message]).toEqual([ErrorCode.SOURCE_READ_FAILED, 'the response answered HTTP 404 Not Found']);
    const strings = new ReadableStream({ start: (c) => (c.enqueue('text'), c.close()) });
    expect((await rejection(loadModel(strings as ReadableStream<Uint8Array>))).code).toBe(ErrorCode.SOURCE_UNSUPPORTED);
    const number = await rejection(loadModel(42 as unknown as Uint8Array));
    expect([number.code, number instanceof SourceError]).toEqual([ErrorCode.SOURCE_UNSUPPORTED, true]);
  });

  it('a damaged file from any source is a FormatError', async () => {
    const damaged = bytes.slice(0, bytes.length - 3);
    expect((await rejection(loadModel(chunkedStream(damaged, 50)))).code).toBe(ErrorCode.TRUNCATED);
  });
});

describe('loadModel over HTTP', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/model.msgpack') {
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) });
        response.end(bytes);
      } else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches a URL string and a URL object; a 404 is SOURCE_READ_FAILED naming the URL', async () => {
    expect(fingerprint(await loadModel(`${base}/model.msgpack`))).toEqual(expected);
    expect(fingerprint(await loadModel(new URL('/model.msgpack', base)))).toEqual(expected);
    const error = await rejection(loadModel(`${base}/missing.msgpack`));
    expect(error.code).toBe(ErrorCode.SOURCE_READ_FAILED);
    expect(error.message).toContain('/missing.msgpack answered HTTP 404');
    const tooBig = await rejection(loadModel(`${base}/model.msgpack`, { maxBytes: 64 }));
    expect([tooBig.code, tooBig.message]).toEqual([ErrorCode.LIMIT_EXCEEDED, `${base}/model.msgpack declares ${bytes.length} bytes, over the maxBytes limit of 64`]);
  });
});

describe('saveModel', () => {
  it('writes the encoded bytes, replaces an existing file, and leaves no temporary file', async () => {
    const target = join(directory, 'saved.msgpack');
    writeFileSync(target, 'old content');
    const written = await saveModel(target, model, { dtype: 'f16' });
    expect(new Uint8Array(readFileSync(target))).toEqual(encodeModel(model, { dtype: 'f16' }));
    expect(written).toBe(readFileSync(target).length);
    expect(fingerprint(await loadModel(target))).toEqual(fingerprint(await loadModel(encodeModel(model, { dtype: 'f16' }))));
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with FILE_WRITE_FAILED, cleans up, and leaves the target untouched when the rename cannot happen', async () => {
    const target = join(directory, 'a-directory');
    mkdirSync(target);
    const error = await rejection(saveModel(target, model));
    expect(error).toBeInstanceOf(SourceError);
    expect(error.code).toBe(ErrorCode.FILE_WRITE_FAILED);
    expect(error.message).toContain('a-directory');
    expect(readdirSync(directory).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(target)).toEqual([]);
    const nowhere = await rejection(saveModel(join(directory, 'no', 'such', 'dir', 'm.msgpack'), model));
    expect(nowhere.code).toBe(ErrorCode.FILE_WRITE_FAILED);
  });
});
