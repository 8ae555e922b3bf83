import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors.ts';
import type { Model } from '../model/model.ts';
import { TextTracker, type TextSuggestion } from '../text/text-tracker.ts';
import { sendEmpty, sendJson, sendText } from './http-answers.ts';
import { readJsonBody } from './read-json-body.ts';
import { textRequestFromBody, textRequestFromQuery, type TextRequest } from './request-fields.ts';
import { HttpError } from './serve-error.ts';
import type { ServeMetrics } from './serve-metrics.ts';
import type { ResolvedServeOptions } from './serve-options.ts';
import type { SessionTable } from './session-table.ts';

/** What the route handlers share: the model, the options, the sessions and the counters. */
export interface RouteContext {
  readonly model: Model;
  readonly options: ResolvedServeOptions;
  readonly sessions: SessionTable;
  readonly metrics: ServeMetrics;
  /** The tracker of the stateless GET /v1/suggest, reset for every request. */
  readonly stateless: TextTracker;
  readonly startedAt: number;
  /** The Prometheus text of the metrics now. */
  renderMetrics(): string;
}

/** The route templates: the only values of the metrics' route label besides "other". */
export type RouteName = '/v1/sessions' | '/v1/sessions/{id}' | '/v1/sessions/{id}/text' | '/v1/suggest' | '/healthz' | '/metrics';

type Handler = (request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string, query: URLSearchParams) => Promise<void> | void;

/** A matched path: its template, the session id in it, and the handler of each method it takes. */
export interface RouteMatch {
  readonly route: RouteName;
  readonly id: string;
  readonly handlers: Readonly<Record<string, Handler>>;
}

const SESSION_PATH = /^\/v1\/sessions\/([^/]+)(\/text)?$/;

/** The route of a path, or null when there is none. O(path length). */
export function matchRoute(pathname: string): RouteMatch | null {
  switch (pathname) {
    case '/v1/sessions':
      return { route: '/v1/sessions', id: '', handlers: { POST: createSession } };
    case '/v1/suggest':
      return { route: '/v1/suggest', id: '', handlers: { GET: suggestStateless } };
    case '/healthz':
      return { route: '/healthz', id: '', handlers: { GET: health } };
    case '/metrics':
      return { route: '/metrics', id: '', handlers: { GET: metrics } };
  }
  const session = SESSION_PATH.exec(pathname);
  if (session === null) return null;
  if (session[2] !== undefined) return { route: '/v1/sessions/{id}/text', id: session[1], handlers: { PUT: putText } };
  return { route: '/v1/sessions/{id}', id: session[1], handlers: { DELETE: deleteSession } };
}

/** POST /v1/sessions: 201 { id }. The body, if any, must be a JSON object (its fields are reserved). */
async function createSession(request: IncomingMessage, response: ServerResponse, context: RouteContext): Promise<void> {
  const body = await readJsonBody(request, context.options);
  if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    throw new HttpError(400, ErrorCode.FIELD_INVALID, 'the body of POST /v1/sessions must be empty or a JSON object');
  }
  const { model, options } = context;
  const session = context.sessions.create((id) => new TextTracker(options.createSession(model, { id }), { maxBoundaries: options.maxBoundaries }));
  sendJson(response, 201, { id: session.id }, { location: `/v1/sessions/${session.id}` });
}

/** PUT /v1/sessions/{id}/text { text, count }: 200 with the suggestions after the field's whole text. */
async function putText(request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string): Promise<void> {
  const fields = textRequestFromBody(await readJsonBody(request, context.options), context.options);
  // Looked up after the body is in: the session may have gone while it arrived.
  const session = context.sessions.get(id);
  if (session === undefined) throw notFound(id);
  answerSuggestions(response, context, session.tracker, fields);
}

/** DELETE /v1/sessions/{id}: 204. */
function deleteSession(request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string): void {
  if (!context.sessions.delete(id)) throw notFound(id);
  sendEmpty(response, 204);
}

/** GET /v1/suggest?text=…&count=5: the same answer without a session; every token of the text is stepped. */
function suggestStateless(request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string, query: URLSearchParams): void {
  const fields = textRequestFromQuery(query, context.options);
  // A fresh start each time: what one caller sent must not make another's answer faster (or slower).
  context.stateless.reset();
  answerSuggestions(response, context, context.stateless, fields);
}

function health(request: IncomingMessage, response: ServerResponse, context: RouteContext): void {
  sendJson(response, 200, { ok: true, sessions: context.sessions.size, uptimeSeconds: Math.round((Date.now() - context.startedAt) / 1000) });
}

function metrics(request: IncomingMessage, response: ServerResponse, context: RouteContext): void {
  sendText(response, 200, context.renderMetrics(), 'text/plain; version=0.0.4; charset=utf-8');
}

/** Steps the tracker to the text and answers { suggestions, prefix, microseconds }. */
function answerSuggestions(response: ServerResponse, context: RouteContext, tracker: TextTracker, fields: TextRequest): void {
  const started = performance.now();
  context.metrics.trackerSteps += tracker.update(fields.text);
  const suggestions = tracker.suggest(fields.count);
  const microseconds = Math.round((performance.now() - started) * 1000);
  sendJson(response, 200, { suggestions: suggestions.map(shown), prefix: tracker.prefix, microseconds });
}

function shown(suggestion: TextSuggestion): { text: string; probability: number } {
  return { text: suggestion.text, probability: suggestion.probability };
}

function notFound(id: string): HttpError {
  return new HttpError(404, ErrorCode.SESSION_NOT_FOUND, `no session ${JSON.stringify(id.slice(0, 64))}: unknown, deleted, evicted or expired; POST /v1/sessions makes a new one`);
}
