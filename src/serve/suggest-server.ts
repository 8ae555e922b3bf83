import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fingerprintOf } from '../adapt/session-profile.ts';
import { ErrorCode } from '../errors.ts';
import type { Model } from '../model/model.ts';
import { TextTracker } from '../text/text-tracker.ts';
import { bearerTokenCheck } from './bearer-token.ts';
import { ClientAdaptation } from './client-adaptation.ts';
import { sendEmpty, sendError } from './http-answers.ts';
import { ClientGoneError } from './read-body.ts';
import { HttpError, ServeError } from './serve-error.ts';
import { ServeMetrics } from './serve-metrics.ts';
import { resolveServeOptions, type ResolvedServeOptions, type SuggestServerOptions } from './serve-options.ts';
import { SessionTable } from './session-table.ts';
import { matchRoute, type RouteContext } from './suggest-routes.ts';

/** Where a listening server is. */
export interface ServerAddress {
  /** The bound address, as the system reports it (127.0.0.1, ::1, 0.0.0.0 …). */
  readonly host: string;
  /** The bound port (the one the system picked when asked for port 0). */
  readonly port: number;
  /** `http://host:port`, IPv6 addresses bracketed. */
  readonly url: string;
}

/** A next-word suggestion service over HTTP (docs/SERVE.md): start it with listen(), stop it with close(). */
export interface SuggestServer {
  /** The options in force, defaults filled in. */
  readonly options: ResolvedServeOptions;
  /** Node's server underneath (for tests and embedding). */
  readonly httpServer: Server;
  /** Client sessions held now. */
  readonly sessionCount: number;
  /** Starts listening on options.host and options.port. Rejects on a bind error (EADDRINUSE, EACCES). */
  listen(): Promise<ServerAddress>;
  /**
   * Stops accepting connections, answers 503 to new requests on open
   * connections, lets requests in flight finish (cutting them after
   * shutdownGraceMs), then drops every session. Resolves when all
   * connections are closed. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

const METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH']);

/**
 * A suggestion server for `model` (a language model with a vocabulary and
 * tokenizer settings): client sessions that send a text field's whole text
 * on every keystroke and get the next words back, each session stepping only
 * what changed (TextTracker); a stateless GET form; health and Prometheus
 * metrics; limits on bodies, texts, sessions, requests in flight and time.
 * With `adapt`, each client session also learns its writer (ClientAdaptation)
 * and has profile routes. Throws ServeError (SERVE_OPTION_INVALID) for a bad
 * option, adaptation options this model cannot take included, and TextError
 * (NOT_A_LANGUAGE_MODEL) for a model it cannot suggest from.
 * Memory: the model (shared), and per client session one model session
 * (state and scratch, Session.byteLength) plus up to maxBoundaries
 * snapshots of its state; adapting, two AdaptiveSessions with their caches
 * instead of the model session (ClientAdaptation.byteLength). Cold path
 * when adapting: the model's fingerprint (one pass over the weights), so
 * that the first profile request does not pay for it.
 */
export function createSuggestServer(model: Model, options: SuggestServerOptions = {}): SuggestServer {
  const resolved = resolveServeOptions(options);
  const stateless = new TextTracker(model.session(), { maxBoundaries: 1 });
  if (resolved.adapt !== null) checkAdaptation(model, resolved);
  const sessions = new SessionTable(resolved);
  const metrics = new ServeMetrics();
  const authorized = bearerTokenCheck(resolved.token);
  let shuttingDown = false;
  let closing: Promise<void> | null = null;
  let sweeper: ReturnType<typeof setInterval> | null = null;
  /** The requests in flight: their answers are not finished (a shutdown tells their clients not to send more on the connection). */
  const unfinished = new Set<ServerResponse>();

  const context: RouteContext = {
    model,
    options: resolved,
    sessions,
    metrics,
    stateless,
    startedAt: Date.now(),
    renderMetrics: () => {
      const text = metrics.render({
        sessions: sessions.size,
        adaptedSessions: resolved.adapt === null ? 0 : sessions.size,
        inFlight: unfinished.size,
        sessionsCreated: sessions.created,
        evictions: sessions.evicted,
        expirations: sessions.expired,
        residentBytes: process.memoryUsage.rss(),
        heapUsedBytes: process.memoryUsage().heapUsed,
      });
      return resolved.extraMetrics === null ? text : text + resolved.extraMetrics();
    },
  };

  const server = createServer({
    headersTimeout: resolved.headersTimeoutMs,
    // Node's own limit on a whole request is a backstop behind bodyTimeoutMs, which answers in JSON.
    requestTimeout: resolved.headersTimeoutMs + resolved.bodyTimeoutMs + 5_000,
    keepAliveTimeout: resolved.keepAliveTimeoutMs,
    // How often Node checks those timeouts (its default, 30 s, would let a stalled client sit that long).
    connectionsCheckingInterval: Math.min(1_000, resolved.headersTimeoutMs),
  });

  const handle = async (request: IncomingMessage, response: ServerResponse, setRoute: (route: string) => void): Promise<void> => {
    const cors = resolved.corsOrigin;
    if (cors !== null) {
      response.setHeader('access-control-allow-origin', cors);
      response.setHeader('access-control-expose-headers', 'retry-after, location');
      if (cors !== '*') response.setHeader('vary', 'origin');
    }
    if (shuttingDown) {
      response.setHeader('connection', 'close');
      throw new HttpError(503, ErrorCode.SHUTTING_DOWN, 'the server is shutting down', { 'retry-after': '1' });
    }
    if (unfinished.size > resolved.maxInFlight) {
      throw new HttpError(429, ErrorCode.TOO_MANY_REQUESTS, `more than ${resolved.maxInFlight} requests in flight; retry shortly`, { 'retry-after': '1' });
    }
    // The target split by hand: new URL() would read a path starting with // as a host.
    const target = request.url ?? '/';
    const queryAt = target.indexOf('?');
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt);
    const match = matchRoute(pathname);
    if (match === null) throw new HttpError(404, ErrorCode.ROUTE_NOT_FOUND, `no route ${JSON.stringify(pathname.slice(0, 200))}; see docs/SERVE.md`);
    setRoute(match.route);
    const method = request.method ?? 'GET';
    const allowed = Object.keys(match.handlers).join(', ');
    if (method === 'OPTIONS' && cors !== null) {
      sendEmpty(response, 204, {
        'access-control-allow-methods': allowed,
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
      });
      return;
    }
    const handler = match.handlers[method];
    if (handler === undefined) throw new HttpError(405, ErrorCode.METHOD_NOT_ALLOWED, `${method} is not allowed on ${match.route}; use ${allowed}`, { allow: allowed });
    if (match.route !== '/healthz' && !authorized(request.headers.authorization)) {
      throw new HttpError(401, ErrorCode.UNAUTHORIZED, 'this server needs an Authorization: Bearer <token> header with its token', { 'www-authenticate': 'Bearer realm="lstm-stream"' });
    }
    await handler(request, response, context, decodeId(match.id), new URLSearchParams(queryAt < 0 ? '' : target.slice(queryAt + 1)));
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const method = METHODS.has(request.method ?? '') ? request.method! : 'OTHER';
    let route = 'other';
    unfinished.add(response);
    response.once('close', () => {
      unfinished.delete(response);
      if (response.writableFinished) metrics.recordRequest(method, route, response.statusCode, (performance.now() - started) / 1000);
      else metrics.aborted++;
      // A connection kept alive by the answer just sent would otherwise wait out keepAliveTimeoutMs.
      if (shuttingDown) server.closeIdleConnections();
    });
    handle(request, response, (name) => {
      route = name;
    }).catch((error: unknown) => {
      if (error instanceof ClientGoneError) {
        response.destroy();
        return;
      }
      let answer: HttpError;
      if (error instanceof HttpError) answer = error;
      else {
        resolved.log(`lstm-stream serve: ${request.method} ${route}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        answer = new HttpError(500, ErrorCode.INTERNAL_ERROR, 'the server failed on this request; it has been logged');
      }
      metrics.recordRejection(answer.code);
      sendError(request, response, answer);
    });
  });

  return {
    options: resolved,
    httpServer: server,
    get sessionCount() {
      return sessions.size;
    },
    listen() {
      return new Promise<ServerAddress>((resolve, reject) => {
        server.once('error', reject);
        server.listen(resolved.port, resolved.host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const host = address.address;
          // Expired sessions are dropped when met; the sweep frees the memory of those nobody meets.
          sweeper = setInterval(() => sessions.dropExpired(), Math.min(Math.max(resolved.sessionIdleMs / 2, 250), 60_000));
          sweeper.unref();
          resolve({ host, port: address.port, url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}` });
        });
      });
    },
    close() {
      if (closing !== null) return closing;
      shuttingDown = true;
      if (sweeper !== null) clearInterval(sweeper);
      for (const response of unfinished) if (!response.headersSent) response.setHeader('connection', 'close');
      closing = new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        const grace = setTimeout(() => server.closeAllConnections(), resolved.shutdownGraceMs);
        grace.unref();
        server.close(() => {
          clearTimeout(grace);
          resolve();
        });
        server.closeIdleConnections();
      }).then(() => sessions.clear());
      return closing;
    },
  };
}

/**
 * Makes one client adaptation as a probe, so that options this model cannot
 * take fail at start (ServeError SERVE_OPTION_INVALID naming the cause), not
 * at the first POST /v1/sessions; and fingerprints the model for the profile routes.
 */
function checkAdaptation(model: Model, resolved: ResolvedServeOptions): void {
  try {
    new ClientAdaptation(model, resolved.adapt!, resolved.maxBoundaries);
  } catch (error) {
    throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `serve option adapt: ${(error as Error).message}`, { cause: error });
  }
  fingerprintOf(model);
}

/** A session id from its path segment (percent-decoded; an undecodable one matches no session). */
function decodeId(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
