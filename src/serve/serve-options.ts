import { ErrorCode } from '../errors.ts';
import type { Model } from '../model/model.ts';
import type { TrackableSession } from '../text/text-tracker.ts';
import { resolveServeAdaptation, type ServeAdaptationOptions } from './serve-adaptation.ts';
import { ServeError } from './serve-error.ts';

/** What a session factory is told about the session it makes. */
export interface SessionContext {
  /** The session's id, as the client will use it. */
  readonly id: string;
}

/**
 * Makes the model session behind one client session: a seam for a session
 * of one's own (the `adapt` option is the built-in per-client adaptation,
 * with profiles). Each call must return a session of its own, never one
 * shared with another client.
 */
export type SessionFactory = (model: Model, context: SessionContext) => TrackableSession;

/** Options of {@link createSuggestServer}; every limit has a default meant for a small device. */
export interface SuggestServerOptions {
  /** Address to bind. Default 127.0.0.1 (this machine only). */
  readonly host?: string;
  /** Port; 0 picks a free one (listen() says which). Default 8080. */
  readonly port?: number;
  /** Largest request body accepted, in bytes (413 beyond). Default 64 KiB. */
  readonly maxBodyBytes?: number;
  /** Longest text accepted, in UTF-16 code units (413 beyond): bounds the steps one request can cost. Default 2,000. */
  readonly maxTextLength?: number;
  /** Most suggestions one request may ask for. Default 20. */
  readonly maxCount?: number;
  /** Suggestions when a request names no count. Default 5. */
  readonly defaultCount?: number;
  /** Sessions held at once. Default 256. */
  readonly maxSessions?: number;
  /** A session unused this long is dropped (404 afterwards). Default 10 minutes. */
  readonly sessionIdleMs?: number;
  /**
   * When the table is full, the least recently used session is evicted to
   * make room if it has been idle at least this long; otherwise creation is
   * refused with 429. 0 always evicts. Default 30 s.
   */
  readonly evictIdleAfterMs?: number;
  /** Requests being handled at once (429 beyond, before the body is read). Default 64. */
  readonly maxInFlight?: number;
  /** Time allowed for a request's headers (Node's headersTimeout). Default 10 s. */
  readonly headersTimeoutMs?: number;
  /** Time allowed for a request's body once its headers are in (408 after). Default 10 s. */
  readonly bodyTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open. Default 5 s. */
  readonly keepAliveTimeoutMs?: number;
  /** How long close() waits for requests in flight before cutting their connections. Default 10 s. */
  readonly shutdownGraceMs?: number;
  /** Token boundaries whose state each session keeps (TextTracker's maxBoundaries). Default 128. */
  readonly maxBoundaries?: number;
  /** A bearer token every request but GET /healthz must carry (`Authorization: Bearer …`); null: none. Default null. */
  readonly token?: string | null;
  /** The origin allowed to call from a browser (`*` for any); null: no CORS headers. Default null. */
  readonly corsOrigin?: string | null;
  /** Makes each client session's model session. Default `model.session()`. Not with `adapt`, which makes its own. */
  readonly createSession?: SessionFactory;
  /**
   * Per-client adaptation (docs/SERVE.md, "Adaptation"): each client session
   * gets its own AdaptiveSession (recency cache and new words, never shared),
   * taught each finished word once, and the profile routes
   * (GET/PUT/DELETE /v1/sessions/{id}/profile). true: the defaults; an
   * object: ServeAdaptationOptions; false: none (the profile routes answer
   * 404 ADAPTATION_OFF). GET /v1/suggest is never adapted. Default false.
   */
  readonly adapt?: boolean | ServeAdaptationOptions;
  /** Largest profile body a PUT /v1/sessions/{id}/profile accepts, in bytes (413 beyond); apart from maxBodyBytes. Default 4 MiB. */
  readonly maxProfileBytes?: number;
  /** Where unexpected errors (answered 500) are reported. Default: standard error. */
  readonly log?: (line: string) => void;
  /** More Prometheus text appended to GET /metrics, such as an MQTT bridge's renderMetrics; null: none. Default null. */
  readonly extraMetrics?: (() => string) | null;
}

/** {@link SuggestServerOptions} with every default filled in; `adapt` is null when off. */
export type ResolvedServeOptions = Required<Omit<SuggestServerOptions, 'adapt'>> & { readonly adapt: ServeAdaptationOptions | null };

const KIB = 1024;

/** The defaults, in one place (docs/SERVE.md lists them). */
export const DEFAULT_SERVE_OPTIONS: ResolvedServeOptions = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  maxBodyBytes: 64 * KIB,
  maxTextLength: 2_000,
  maxCount: 20,
  defaultCount: 5,
  maxSessions: 256,
  sessionIdleMs: 10 * 60_000,
  evictIdleAfterMs: 30_000,
  maxInFlight: 64,
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  shutdownGraceMs: 10_000,
  maxBoundaries: 128,
  token: null,
  corsOrigin: null,
  createSession: (model: Model) => model.session(),
  // A profile of the shipped model with the default cache (1,000 entries of 256 floats) is about 1 MB.
  adapt: null,
  maxProfileBytes: 4 * KIB * KIB,
  log: (line: string) => {
    process.stderr.write(`${line}\n`);
  },
  extraMetrics: null,
});

const COUNTS: readonly (keyof SuggestServerOptions)[] = ['maxBodyBytes', 'maxTextLength', 'maxCount', 'defaultCount', 'maxSessions', 'maxInFlight', 'maxBoundaries', 'maxProfileBytes'];
const DURATIONS: readonly (keyof SuggestServerOptions)[] = ['sessionIdleMs', 'evictIdleAfterMs', 'headersTimeoutMs', 'bodyTimeoutMs', 'keepAliveTimeoutMs', 'shutdownGraceMs'];

/**
 * Fills in defaults and checks every option. Throws ServeError
 * (SERVE_OPTION_INVALID) naming the first bad one. Cold path.
 */
export function resolveServeOptions(options: SuggestServerOptions = {}): ResolvedServeOptions {
  const resolved = { ...DEFAULT_SERVE_OPTIONS } as Record<string, unknown>;
  for (const [name, value] of Object.entries(options)) if (value !== undefined) resolved[name] = value;
  resolved.adapt = resolveServeAdaptation(options.adapt);
  const r = resolved as ResolvedServeOptions;
  const fail = (name: string, why: string): never => {
    throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `serve option ${name} ${why}`);
  };
  for (const name of COUNTS) {
    const value = r[name] as number;
    if (!Number.isSafeInteger(value) || value < 1) fail(name, `is ${value}; expected an integer ≥ 1`);
  }
  for (const name of DURATIONS) {
    const value = r[name] as number;
    if (!Number.isFinite(value) || value < 0) fail(name, `is ${value}; expected milliseconds ≥ 0`);
  }
  if (r.headersTimeoutMs < 1) fail('headersTimeoutMs', 'must be at least 1 ms');
  if (r.bodyTimeoutMs < 1) fail('bodyTimeoutMs', 'must be at least 1 ms');
  if (r.sessionIdleMs < 1) fail('sessionIdleMs', 'must be at least 1 ms');
  if (r.defaultCount > r.maxCount) fail('defaultCount', `(${r.defaultCount}) is above maxCount (${r.maxCount})`);
  if (!Number.isInteger(r.port) || r.port < 0 || r.port > 65_535) fail('port', `is ${r.port}; expected an integer in [0, 65535]`);
  if (typeof r.host !== 'string' || r.host === '') fail('host', 'must be a non-empty address');
  if (r.token !== null && (typeof r.token !== 'string' || r.token === '' || /\s/.test(r.token))) fail('token', 'must be a non-empty string without whitespace, or null');
  if (r.corsOrigin !== null && (typeof r.corsOrigin !== 'string' || !/^(\*|https?:\/\/[^\s/]+)$/.test(r.corsOrigin))) {
    fail('corsOrigin', `is ${JSON.stringify(r.corsOrigin)}; expected * or an origin such as http://localhost:3000`);
  }
  if (typeof r.createSession !== 'function') fail('createSession', 'must be a function');
  if (r.adapt !== null && options.createSession !== undefined) fail('createSession', 'cannot be given with adapt, which makes each client its own AdaptiveSession');
  if (typeof r.log !== 'function') fail('log', 'must be a function');
  if (r.extraMetrics !== null && typeof r.extraMetrics !== 'function') fail('extraMetrics', 'must be a function or null');
  return Object.freeze(r);
}
