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

/**
 * Reads a request's whole body. Rejects with HttpError 413 (BODY_TOO_LARGE)
 * as soon as the declared or received size passes the limit (`flag` names
 * the setting in the message), 408 (REQUEST_TIMEOUT) when the body is not
 * complete in time; ClientGoneError when the connection closes first. On a
 * rejection the rest of the body is left unread (the answer drains or
 * closes it). Cost: at most maxBodyBytes held, then one copy into the result.
 */
export function readBody(request: IncomingMessage, limits: BodyLimits, flag = '--max-body'): Promise<Buffer> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBodyBytes) {
    return Promise.reject(tooLarge(limits.maxBodyBytes, flag, `${declared} bytes declared`));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (error: Error | null, value?: Buffer): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onClose);
      request.off('error', onClose);
      if (error !== null) reject(error);
      else resolve(value!);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limits.maxBodyBytes) {
        request.pause();
        finish(tooLarge(limits.maxBodyBytes, flag, 'more than that received'));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(null, Buffer.concat(chunks, received));
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

function tooLarge(maxBodyBytes: number, flag: string, what: string): HttpError {
  return new HttpError(413, ErrorCode.BODY_TOO_LARGE, `the request body is larger than the limit of ${maxBodyBytes} bytes (${what}; the server's ${flag})`);
}
