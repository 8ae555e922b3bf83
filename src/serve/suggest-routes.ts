import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../errors.ts';
import { TextTracker, type TextSuggestion } from '../text/text-tracker.ts';
import { ClientAdaptation } from './client-adaptation.ts';
import { sendEmpty, sendJson, sendText } from './http-answers.ts';
import { deleteProfile, getProfile, putProfile } from './profile-routes.ts';
import { readJsonBody } from './read-json-body.ts';
import { textRequestFromBody, textRequestFromQuery, type TextRequest } from './request-fields.ts';
import { sessionNotFound, sessionOrNotFound, type RouteContext } from './route-context.ts';
import { HttpError } from './serve-error.ts';

export type { RouteContext } from './route-context.ts';

/** The route templates: the only values of the metrics' route label besides "other". */
export type RouteName = '/v1/sessions' | '/v1/sessions/{id}' | '/v1/sessions/{id}/text' | '/v1/sessions/{id}/profile' | '/v1/suggest' | '/healthz' | '/metrics';

type Handler = (request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string, query: URLSearchParams) => Promise<void> | void;

/** A matched path: its template, the session id in it, and the handler of each method it takes. */
export interface RouteMatch {
  readonly route: RouteName;
  readonly id: string;
  readonly handlers: Readonly<Record<string, Handler>>;
}

const SESSION_PATH = /^\/v1\/sessions\/([^/]+)(?:\/(text|profile))?$/;

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
  if (session[2] === 'text') return { route: '/v1/sessions/{id}/text', id: session[1], handlers: { PUT: putText } };
  if (session[2] === 'profile') return { route: '/v1/sessions/{id}/profile', id: session[1], handlers: { GET: getProfile, PUT: putProfile, DELETE: deleteProfile } };
  return { route: '/v1/sessions/{id}', id: session[1], handlers: { DELETE: deleteSession } };
}

/** POST /v1/sessions: 201 { id }; on an adapting server the session has its own adaptation. The body, if any, must be a JSON object (its fields are reserved). */
async function createSession(request: IncomingMessage, response: ServerResponse, context: RouteContext): Promise<void> {
  const body = await readJsonBody(request, context.options);
  if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
    throw new HttpError(400, ErrorCode.FIELD_INVALID, 'the body of POST /v1/sessions must be empty or a JSON object');
  }
  const { model, options } = context;
  const adapt = options.adapt;
  const session = context.sessions.create((id) =>
    adapt === null ? new TextTracker(options.createSession(model, { id }), { maxBoundaries: options.maxBoundaries }) : new ClientAdaptation(model, adapt, options.maxBoundaries),
  );
  sendJson(response, 201, { id: session.id }, { location: `/v1/sessions/${session.id}` });
}

/**
 * PUT /v1/sessions/{id}/text { text, count, finish }: 200 with the
 * suggestions after the field's whole text. An adapting session is taught
 * the sentences the text has finished, and with finish the rest of it
 * (after the answer is computed: the suggestions are for the text as sent).
 */
async function putText(request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string): Promise<void> {
  const fields = textRequestFromBody(await readJsonBody(request, context.options), context.options);
  // Looked up after the body is in: the session may have gone while it arrived.
  const session = sessionOrNotFound(context, id);
  answerSuggestions(response, context, session.tracker, fields, session.adaptation);
}

/** DELETE /v1/sessions/{id}: 204. */
function deleteSession(request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string): void {
  if (!context.sessions.delete(id)) throw sessionNotFound(id);
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

/**
 * Steps the tracker to the text (through the adaptation, which teaches its
 * learner, when there is one) and answers { suggestions, prefix, microseconds }.
 */
function answerSuggestions(response: ServerResponse, context: RouteContext, tracker: TextTracker, fields: TextRequest, adaptation: ClientAdaptation | null = null): void {
  const started = performance.now();
  if (adaptation === null) {
    context.metrics.trackerSteps += tracker.update(fields.text);
  } else {
    const taught = adaptation.tokensTaught;
    context.metrics.trackerSteps += adaptation.update(fields.text);
    context.metrics.tokensTaught += adaptation.tokensTaught - taught;
  }
  const suggestions = tracker.suggest(fields.count);
  const prefix = tracker.prefix;
  if (adaptation !== null && fields.finish) {
    // Finishing steps the last word when it has no whitespace after it: the tracker's work too.
    const steps = tracker.stepsTaken;
    context.metrics.tokensTaught += adaptation.finish(fields.text);
    context.metrics.trackerSteps += tracker.stepsTaken - steps;
  }
  const microseconds = Math.round((performance.now() - started) * 1000);
  sendJson(response, 200, { suggestions: suggestions.map(shown), prefix, microseconds });
}

function shown(suggestion: TextSuggestion): { text: string; probability: number } {
  return { text: suggestion.text, probability: suggestion.probability };
}
