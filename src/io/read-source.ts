import { ErrorCode } from '../errors.ts';
import { SourceError } from './errors.ts';
import { importUrl } from './node-modules.ts';
import { readFileBytes } from './read-file.ts';

/**
 * Where model bytes can come from: bytes in memory, a file path (Node, Deno,
 * Bun), a URL (fetched; `file:` URLs are read as paths), a fetch Response, a
 * Blob, or a ReadableStream of Uint8Array chunks.
 */
export type ByteSource = Uint8Array | ArrayBuffer | ArrayBufferView | string | URL | Response | Blob | ReadableStream<Uint8Array>;

/** Options of {@link readSource}. */
export interface ReadSourceOptions {
  /** Refuse (LIMIT_EXCEEDED) a source longer than this many bytes, before allocating it where the size is known up front. */
  readonly maxBytes: number;
  /** Cancels a fetch or a stream read. */
  readonly signal?: AbortSignal;
}

const URL_SCHEME = /^(https?|data|blob|file):/i;

/**
 * All the bytes of a source, with the byte limit enforced while reading.
 * In-memory bytes are returned as a view (not copied). Strings that start
 * with http:, https:, data:, blob: or file: are URLs; any other string is a
 * path. Throws SourceError: SOURCE_UNSUPPORTED, SOURCE_READ_FAILED (missing
 * file, HTTP error, broken stream) or LIMIT_EXCEEDED.
 * Cost: one buffer of the source's size (plus the chunks of a stream until joined).
 */
export async function readSource(source: ByteSource, options: ReadSourceOptions): Promise<Uint8Array> {
  const { maxBytes, signal } = options;
  if (source instanceof Uint8Array) return checkSize(source, maxBytes, 'the bytes');
  if (source instanceof ArrayBuffer) return checkSize(new Uint8Array(source), maxBytes, 'the ArrayBuffer');
  if (ArrayBuffer.isView(source)) {
    return checkSize(new Uint8Array(source.buffer, source.byteOffset, source.byteLength), maxBytes, `the ${source.constructor.name}`);
  }
  if (typeof source === 'string' && !URL_SCHEME.test(source)) return readFileBytes(source, maxBytes);
  if (typeof source === 'string' || source instanceof URL) {
    const url = typeof source === 'string' ? new URL(source) : source;
    if (url.protocol === 'file:') return readFileBytes((await importUrl()).fileURLToPath(url), maxBytes);
    let response: Response;
    try {
      response = await fetch(url, { signal });
    } catch (error) {
      throw new SourceError(ErrorCode.SOURCE_READ_FAILED, `cannot fetch ${shortUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return readResponse(response, maxBytes, signal);
  }
  if (typeof Response !== 'undefined' && source instanceof Response) return readResponse(source, maxBytes, signal);
  if (typeof Blob !== 'undefined' && source instanceof Blob) {
    if (source.size > maxBytes) {
      throw new SourceError(ErrorCode.LIMIT_EXCEEDED, `the Blob is ${source.size} bytes, over the maxBytes limit of ${maxBytes}`);
    }
    return new Uint8Array(await source.arrayBuffer());
  }
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return readStream(source, maxBytes, 'the stream', signal);
  throw new SourceError(
    ErrorCode.SOURCE_UNSUPPORTED,
    `cannot read model bytes from ${describe(source)}; pass a Uint8Array, ArrayBuffer, path, URL, Response, Blob or ReadableStream`,
  );
}

async function readResponse(response: Response, maxBytes: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
  const where = response.url ? shortUrl(new URL(response.url)) : 'the response';
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new SourceError(ErrorCode.SOURCE_READ_FAILED, `${where} answered HTTP ${response.status} ${response.statusText}`.trim());
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new SourceError(ErrorCode.LIMIT_EXCEEDED, `${where} declares ${declared} bytes, over the maxBytes limit of ${maxBytes}`);
  }
  if (response.body === null) return new Uint8Array(0);
  return readStream(response.body, maxBytes, where, signal);
}

/** Reads a stream to the end, refusing it as soon as it passes maxBytes. */
async function readStream(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  where: string,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw new SourceError(ErrorCode.SOURCE_READ_FAILED, `reading ${where} was aborted`, { cause: signal.reason });
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        throw new SourceError(ErrorCode.SOURCE_READ_FAILED, `reading ${where} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (result.done) break;
      const chunk = result.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new SourceError(ErrorCode.SOURCE_UNSUPPORTED, `${where} yielded ${describe(chunk)}; expected Uint8Array chunks`);
      }
      total += chunk.length;
      if (total > maxBytes) throw new SourceError(ErrorCode.LIMIT_EXCEEDED, `${where} is longer than the maxBytes limit of ${maxBytes}`);
      chunks.push(chunk);
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    throw error;
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function checkSize(bytes: Uint8Array, maxBytes: number, what: string): Uint8Array {
  if (bytes.length > maxBytes) throw new SourceError(ErrorCode.LIMIT_EXCEEDED, `${what} are ${bytes.length} bytes, over the maxBytes limit of ${maxBytes}`);
  return bytes;
}

/** A URL for a message: data: URLs are cut short so a message never carries a whole file. */
function shortUrl(url: URL): string {
  const text = url.href;
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}
