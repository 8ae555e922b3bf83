import { LstmStreamError } from '../errors.ts';

/** A suggestion server that cannot start as asked: a bad option (SERVE_OPTION_INVALID), naming it. */
export class ServeError extends LstmStreamError {}

/**
 * An error answer of the suggestion server: the HTTP status, the stable
 * `code` (ErrorCode) and message sent as `{ "error": { "code", "message" } }`,
 * and any headers it needs (Retry-After, Allow, WWW-Authenticate). Thrown
 * inside request handling and turned into the answer in one place.
 */
export class HttpError extends ServeError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}) {
    super(code, message);
    this.status = status;
    this.headers = headers;
  }
}
