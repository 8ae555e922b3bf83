import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpError } from './serve-error.ts';

/** How much of an unread body is read and thrown away after an early error answer, so the client gets to read it. */
export const DRAIN_LIMIT_BYTES = 1024 * 1024;
/** How long that may take before the connection is cut. */
export const DRAIN_TIMEOUT_MS = 5_000;

/** Writes a JSON answer with its length; never cached. Allocates the text. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(json)),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(json);
}

/** Writes a plain-text answer (the metrics) with its length. */
export function sendText(response: ServerResponse, status: number, text: string, contentType: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(Buffer.byteLength(text)), 'cache-control': 'no-store' });
  response.end(text);
}

/** Writes a binary answer (a profile file) with its length; never cached. */
export function sendBytes(response: ServerResponse, status: number, bytes: Uint8Array, contentType: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(bytes.length), 'cache-control': 'no-store' });
  response.end(bytes);
}

/** Writes an answer without a body (201 has one; this is for 204). */
export function sendEmpty(response: ServerResponse, status: number, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, headers);
  response.end();
}

/**
 * Answers `{ "error": { "code", "message" } }` with the error's status and
 * headers. When the request's body was not read to its end (a refusal
 * before reading, a body too large), the rest is read and dropped, up to
 * DRAIN_LIMIT_BYTES and DRAIN_TIMEOUT_MS, before the connection may be
 * reused: closing a socket with unread bytes resets it, and the client
 * could lose the answer. Past those bounds, or for a timeout, the
 * connection is closed.
 */
export function sendError(request: IncomingMessage, response: ServerResponse, error: HttpError): void {
  const headers: Record<string, string> = { ...error.headers };
  if (!request.complete) {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (error.status === 408 || declared > DRAIN_LIMIT_BYTES) headers.connection = 'close';
    else drain(request);
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, error.status, { error: { code: error.code, message: error.message } }, headers);
}

function drain(request: IncomingMessage): void {
  let drained = 0;
  const cut = (): void => {
    request.socket.destroy();
  };
  const timer = setTimeout(cut, DRAIN_TIMEOUT_MS);
  timer.unref();
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) cut();
  });
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
  request.resume();
}
