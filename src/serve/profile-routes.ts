import type { IncomingMessage, ServerResponse } from 'node:http';
import { AdaptError } from '../adapt/adapt-error.ts';
import { ProfileError } from '../adapt/profile/profile-error.ts';
import { ErrorCode } from '../errors.ts';
import type { ClientAdaptation } from './client-adaptation.ts';
import { sendBytes, sendEmpty } from './http-answers.ts';
import { readBody } from './read-body.ts';
import { sessionOrNotFound, type RouteContext } from './route-context.ts';
import { HttpError } from './serve-error.ts';

// The profile routes of an adapting server (docs/SERVE.md, "Adaptation"):
// a keyboard keeps its writer's profile on the device and hands it to each
// new session.

/** The media type of a profile file, both ways. */
export const PROFILE_MEDIA_TYPE = 'application/octet-stream';

/**
 * GET /v1/sessions/{id}/profile: 200 with the session's profile file, after
 * teaching it every finished word of its field. Cold path: the profile's
 * copy and encoding (about 1 MB for the shipped model's default cache).
 */
export function getProfile(request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string): void {
  const adaptation = adaptationOf(context, id);
  const taught = adaptation.tokensTaught;
  const bytes = adaptation.saveProfile();
  context.metrics.tokensTaught += adaptation.tokensTaught - taught;
  context.metrics.profilesSaved++;
  sendBytes(response, 200, bytes, PROFILE_MEDIA_TYPE);
}

/**
 * PUT /v1/sessions/{id}/profile with a profile file as the body: 204 once
 * the session holds its learning instead of its own, with a new text. The
 * body is bounded by maxProfileBytes (413). A file that is not a sound
 * profile answers 400 with its ProfileError code; a sound one this server
 * cannot use (another model's, or one with weight deltas) 422. On a refusal
 * the session is as it was. Cold path: one decode, two copies into the sessions.
 */
export async function putProfile(request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string): Promise<void> {
  checkAdapting(context);
  const { options } = context;
  const bytes = await readBody(request, { maxBodyBytes: options.maxProfileBytes, bodyTimeoutMs: options.bodyTimeoutMs }, '--max-profile');
  // Looked up after the body is in: the session may have gone while it arrived.
  const adaptation = adaptationOf(context, id);
  try {
    adaptation.loadProfile(bytes, options.maxProfileBytes);
  } catch (error) {
    const refusal = profileRefusal(error);
    if (refusal === null) throw error;
    context.metrics.profilesRefused++;
    throw refusal;
  }
  context.metrics.profilesLoaded++;
  sendEmpty(response, 204);
}

/** DELETE /v1/sessions/{id}/profile: 204 once the session has forgotten what it learned (and its text). No allocation. */
export function deleteProfile(request: IncomingMessage, response: ServerResponse, context: RouteContext, id: string): void {
  adaptationOf(context, id).forget();
  context.metrics.profilesForgotten++;
  sendEmpty(response, 204);
}

/**
 * The answer to a profile that cannot be applied, keeping its error's code:
 * 422 for a sound profile of another model (PROFILE_MODEL_MISMATCH) or with
 * weight deltas (ADAPT_OPTION_INVALID), 400 for the rest (not MessagePack,
 * another format, damaged, truncated, a bad field, over a profile limit).
 * null for an error that is not about the profile.
 */
export function profileRefusal(error: unknown): HttpError | null {
  if (error instanceof ProfileError) {
    const status = error.code === ErrorCode.PROFILE_MODEL_MISMATCH ? 422 : 400;
    return new HttpError(status, error.code, `the body is not a profile this session can use: ${error.message}`);
  }
  if (error instanceof AdaptError && error.code === ErrorCode.ADAPT_OPTION_INVALID) {
    return new HttpError(422, error.code, `the profile cannot be applied here (this server adapts by cache and new words only, without dynamic evaluation): ${error.message}`);
  }
  return null;
}

/** The session's adaptation; 404 ADAPTATION_OFF when the server does not adapt, 404 SESSION_NOT_FOUND for an unknown id. */
function adaptationOf(context: RouteContext, id: string): ClientAdaptation {
  checkAdapting(context);
  const adaptation = sessionOrNotFound(context, id).adaptation;
  // Every session of an adapting server has one; this keeps a bug from reading as the client's fault.
  if (adaptation === null) throw new Error(`session ${id.slice(0, 8)}… of an adapting server has no adaptation`);
  return adaptation;
}

function checkAdapting(context: RouteContext): void {
  if (context.options.adapt === null) {
    throw new HttpError(404, ErrorCode.ADAPTATION_OFF, 'this server does not adapt to its clients, so sessions have no profile; start it with --adapt (createSuggestServer option adapt: true)');
  }
}
