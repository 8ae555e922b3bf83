// Shared by the server tests: an in-process server on a free loopback port,
// JSON calls with fetch, raw sockets for clients that misbehave on purpose,
// and the metrics as numbers.
import { Agent, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { createSuggestServer, type SuggestServer } from '../../src/serve/suggest-server.ts';
import type { SuggestServerOptions } from '../../src/serve/serve-options.ts';
import type { Model } from '../../src/index.ts';

export interface RunningServer {
  readonly server: SuggestServer;
  readonly url: string;
  readonly port: number;
}

/** A server for `model` on 127.0.0.1 and a free port, quiet unless a test gives it a log. */
export async function startServer(model: Model, options: SuggestServerOptions = {}): Promise<RunningServer> {
  const server = createSuggestServer(model, { log: () => {}, ...options, host: '127.0.0.1', port: 0 });
  const { url, port } = await server.listen();
  return { server, url, port };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (undefined when empty or not JSON). */
  readonly json: any;
  readonly text: string;
}

/** One request with fetch; a JSON body when `body` is not a string. */
export async function call(url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${url}${path}`, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** A new session's id. */
export async function newSession(url: string, headers: Record<string, string> = {}): Promise<string> {
  const answer = await call(url, 'POST', '/v1/sessions', undefined, headers);
  if (answer.status !== 201) throw new Error(`POST /v1/sessions answered ${answer.status}: ${answer.text}`);
  return answer.json.id as string;
}

/** The value of one metric line, e.g. `lstm_stream_sessions` or `lstm_stream_rejected_requests_total{code="BODY_TOO_LARGE"}` (0 when absent). */
export async function metric(url: string, series: string): Promise<number> {
  const text = (await call(url, 'GET', '/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/** A raw HTTP response read off a socket. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A socket to the server, for requests sent piece by piece. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * The next complete response on a socket (status, lower-cased headers, a
 * body of content-length bytes); rejects after timeoutMs or when the socket
 * closes first.
 */
export function readResponse(socket: Socket, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const done = (error: Error | null, answer?: RawAnswer): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (error !== null) reject(error);
      else resolve(answer!);
    };
    const onData = (chunk: Buffer): void => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      if (data.length < end + 4 + length) return;
      done(null, { status: Number(statusLine.split(' ')[1]), headers, body: data.subarray(end + 4, end + 4 + length).toString('utf8') });
    };
    const onClose = (): void => done(new Error(`the socket closed before a whole response (${data.length} bytes read: ${JSON.stringify(data.toString('latin1').slice(0, 120))})`));
    const timer = setTimeout(() => done(new Error(`no whole response within ${timeoutMs} ms`)), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/** Resolves with everything the socket received once it closes (rejects after timeoutMs). */
export function readUntilClosed(socket: Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
    });
    const timer = setTimeout(() => reject(new Error(`the socket was still open after ${timeoutMs} ms (read ${JSON.stringify(data.slice(0, 120))})`)), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    // A reset by the server also ends the exchange; what was read before it counts.
    socket.on('error', () => {});
  });
}

/** The value at quantile q of sorted numbers (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const keepAlive = new Agent({ keepAlive: true, maxSockets: 512 });

/**
 * A JSON request with node:http over kept-alive connections: lighter than
 * fetch, so a load test measures the server more than its client.
 */
export function callLight(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const request = httpRequest(`${url}${path}`, { method, agent: keepAlive, headers: payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, json: text === '' ? undefined : JSON.parse(text) });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(payload);
  });
}
