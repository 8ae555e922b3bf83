import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../errors.ts';
import { HttpError } from './serve-error.ts';

/** Limits on reading one request body. */
export interface BodyLimits {
  readonly maxBodyBytes: number;
  /** From the moment reading starts (the headers are in) to the body's end. */
  readonly bodyTimeoutMs: number;
}

/** The client went away before its body was complete: there is nobody to answer. */
export class ClientGoneError extends Error {}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a request's body and parses it as JSON; undefined for an empty body.
 * Rejects with HttpError 413 (BODY_TOO_LARGE) as soon as the declared or
 * received size passes the limit, 408 (REQUEST_TIMEOUT) when the body is not
 * complete in time, 400 (BODY_MALFORMED) for bytes that are not UTF-8 JSON;
 * ClientGoneError when the connection closes first. On a rejection the rest
 * of the body is left unread (the answer drains or closes it).
 * Cost: at most maxBodyBytes held, one parse.
 */
export function readJsonBody(request: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBodyBytes) {
    return Promise.reject(tooLarge(limits.maxBodyBytes, `${declared} bytes declared`));
  }
  return new Promise<unknown>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (error: Error | null, value?: unknown): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onClose);
      request.off('error', onClose);
      if (error !== null) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxBodyBytes) {
        request.pause();
        finish(tooLarge(limits.maxBodyBytes, `more than that received`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      try {
        finish(null, parse(Buffer.concat(chunks, received)));
      } catch (error) {
        finish(error as Error);
      }
    };
    const onClose = (): void => finish(new ClientGoneError('the client closed the connection before its body was complete'));
    const timer = setTimeout(() => {
      request.pause();
      finish(new HttpError(408, ErrorCode.REQUEST_TIMEOUT, `the request body was not complete within ${limits.bodyTimeoutMs / 1000} s`));
    }, limits.bodyTimeoutMs);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('close', onClose);
    request.on('error', onClose);
  });
}

function tooLarge(maxBodyBytes: number, what: string): HttpError {
  return new HttpError(413, ErrorCode.BODY_TOO_LARGE, `the request body is larger than the limit of ${maxBodyBytes} bytes (${what})`);
}

/** The body's JSON value (undefined when empty); HttpError 400 BODY_MALFORMED when it is not UTF-8 JSON. */
function parse(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new HttpError(400, ErrorCode.BODY_MALFORMED, 'the request body is not UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, ErrorCode.BODY_MALFORMED, `the request body is not JSON: ${(error as Error).message}`);
  }
}
