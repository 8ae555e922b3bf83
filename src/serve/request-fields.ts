import { ErrorCode } from '../errors.ts';
import { HttpError } from './serve-error.ts';

/** What a suggestion request asks: the field's whole text, how many suggestions, and whether the text is done. */
export interface TextRequest {
  readonly text: string;
  readonly count: number;
  /** The text is done (sent, submitted): an adapting session is taught the rest of it and the next text is a new one. */
  readonly finish: boolean;
}

/** The limits a request's fields are checked against. */
export interface FieldLimits {
  readonly maxTextLength: number;
  readonly maxCount: number;
  readonly defaultCount: number;
}

/**
 * The fields of `PUT /v1/sessions/{id}/text`'s body `{ "text", "count",
 * "finish" }` (count and finish optional; other fields ignored). Throws
 * HttpError 400 FIELD_INVALID naming the field, 413 TEXT_TOO_LONG past
 * maxTextLength. O(1).
 */
export function textRequestFromBody(body: unknown, limits: FieldLimits): TextRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid(`the body must be a JSON object { "text": "…", "count": ${limits.defaultCount} }; got ${describe(body)}`);
  }
  const { text, count, finish } = body as { text?: unknown; count?: unknown; finish?: unknown };
  if (typeof text !== 'string') throw invalid(`"text" must be a string (the field's whole current text); got ${describe(text)}`);
  checkLength(text, limits);
  if (finish !== undefined && typeof finish !== 'boolean') throw invalid(`"finish" must be true or false; got ${describe(finish)}`);
  if (count === undefined) return { text, count: limits.defaultCount, finish: finish === true };
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > limits.maxCount) {
    throw invalid(`"count" must be an integer from 1 to ${limits.maxCount}; got ${describe(count)}`);
  }
  return { text, count, finish: finish === true };
}

/**
 * The query of `GET /v1/suggest?text=…&count=5` (text defaults to '', count
 * to defaultCount). Throws as {@link textRequestFromBody}.
 */
export function textRequestFromQuery(query: URLSearchParams, limits: FieldLimits): TextRequest {
  const text = query.get('text') ?? '';
  checkLength(text, limits);
  const given = query.get('count');
  if (given === null) return { text, count: limits.defaultCount, finish: false };
  const count = /^\d{1,6}$/.test(given) ? Number(given) : NaN;
  if (!(count >= 1 && count <= limits.maxCount)) throw invalid(`"count" must be an integer from 1 to ${limits.maxCount}; got ${JSON.stringify(given.slice(0, 20))}`);
  return { text, count, finish: false };
}

function checkLength(text: string, limits: FieldLimits): void {
  if (text.length > limits.maxTextLength) {
    throw new HttpError(413, ErrorCode.TEXT_TOO_LONG, `"text" has ${text.length} characters; the limit is ${limits.maxTextLength} (the server's --max-text)`);
  }
}

function invalid(message: string): HttpError {
  return new HttpError(400, ErrorCode.FIELD_INVALID, message);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}
