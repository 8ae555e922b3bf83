import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '../errors.ts';
import { bearerTokenCheck } from './bearer-token.ts';
import { sendJson, sendText } from './http-answers.ts';
import type { ServerAddress } from './suggest-server.ts';

/** Options of {@link createMetricsServer}. */
export interface MetricsServerOptions {
  /** Address to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** A bearer token /metrics needs (not /healthz); null: none. Default null. */
  readonly token?: string | null;
  /** The Prometheus text to serve on GET /metrics. */
  readonly render: () => string;
  /** The body of GET /healthz; `ok: false` answers 503 (a probe sees the service as down). */
  readonly health: () => { readonly ok: boolean; readonly [field: string]: unknown };
}

/** An HTTP server with GET /metrics and GET /healthz only: what `lstm-stream serve --mqtt --port N` runs beside the bridge. */
export interface MetricsServer {
  readonly httpServer: Server;
  /** Starts listening. Rejects on a bind error (EADDRINUSE, EACCES). */
  listen(): Promise<ServerAddress>;
  /** Stops listening and closes every connection (nothing here runs long). */
  close(): Promise<void>;
}

/**
 * A metrics and health endpoint for a service that is not the suggestion
 * server (the MQTT bridge): GET or HEAD /metrics (Prometheus text 0.0.4) and
 * /healthz (JSON; 503 while `ok` is false); 404 and 405 in the suggestion
 * server's JSON error form otherwise. Request bodies are ignored.
 * Cost: one render per scrape.
 */
export function createMetricsServer(options: MetricsServerOptions): MetricsServer {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8080;
  const authorized = bearerTokenCheck(options.token ?? null);
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 });
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    const path = (request.url ?? '/').split('?')[0];
    const fail = (status: number, code: string, message: string, headers: Record<string, string> = {}): void =>
      sendJson(response, status, { error: { code, message } }, headers);
    if (path !== '/metrics' && path !== '/healthz') {
      fail(404, ErrorCode.ROUTE_NOT_FOUND, `no route ${JSON.stringify(path.slice(0, 200))}; this server has /metrics and /healthz`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      fail(405, ErrorCode.METHOD_NOT_ALLOWED, `${request.method} is not allowed on ${path}; use GET`, { allow: 'GET, HEAD' });
      return;
    }
    if (path === '/healthz') {
      const health = options.health();
      sendJson(response, health.ok ? 200 : 503, health);
      return;
    }
    if (!authorized(request.headers.authorization)) {
      fail(401, ErrorCode.UNAUTHORIZED, 'this server needs an Authorization: Bearer <token> header with its token', { 'www-authenticate': 'Bearer realm="lstm-stream"' });
      return;
    }
    sendText(response, 200, options.render(), 'text/plain; version=0.0.4; charset=utf-8');
  });
  return {
    httpServer: server,
    listen() {
      return new Promise<ServerAddress>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const bound = address.address;
          resolve({ host: bound, port: address.port, url: `http://${bound.includes(':') ? `[${bound}]` : bound}:${address.port}` });
        });
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (!server.listening) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
