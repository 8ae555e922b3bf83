import { ErrorCode } from '../errors.ts';
import type { Model } from '../model/model.ts';
import type { TextTracker } from '../text/text-tracker.ts';
import { HttpError } from './serve-error.ts';
import type { ServeMetrics } from './serve-metrics.ts';
import type { ResolvedServeOptions } from './serve-options.ts';
import type { ClientSession, SessionTable } from './session-table.ts';

/** What the route handlers share: the model, the options, the sessions and the counters. */
export interface RouteContext {
  readonly model: Model;
  readonly options: ResolvedServeOptions;
  readonly sessions: SessionTable;
  readonly metrics: ServeMetrics;
  /** The tracker of the stateless GET /v1/suggest, reset for every request (never adapted). */
  readonly stateless: TextTracker;
  readonly startedAt: number;
  /** The Prometheus text of the metrics now. */
  renderMetrics(): string;
}

/** The session with this id, marked as used; throws HttpError 404 SESSION_NOT_FOUND when there is none. O(1). */
export function sessionOrNotFound(context: RouteContext, id: string): ClientSession {
  const session = context.sessions.get(id);
  if (session === undefined) throw sessionNotFound(id);
  return session;
}

/** The 404 answer for a session id that names no session. */
export function sessionNotFound(id: string): HttpError {
  return new HttpError(404, ErrorCode.SESSION_NOT_FOUND, `no session ${JSON.stringify(id.slice(0, 64))}: unknown, deleted, evicted or expired; POST /v1/sessions makes a new one`);
}
