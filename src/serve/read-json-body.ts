import type { IncomingMessage } from 'node:http';
import { ErrorCode } from '../errors.ts';
import { readBody, type BodyLimits } from './read-body.ts';
import { HttpError } from './serve-error.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a request's body (readBody: its limits, timeout and errors) and
 * parses it as JSON; undefined for an empty body. Rejects with HttpError 400
 * (BODY_MALFORMED) for bytes that are not UTF-8 JSON.
 * Cost: at most maxBodyBytes held, one parse.
 */
export async function readJsonBody(request: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  return parse(await readBody(request, limits));
}

/** The body's JSON value (undefined when empty); HttpError 400 BODY_MALFORMED when it is not UTF-8 JSON. */
function parse(bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new HttpError(400, ErrorCode.BODY_MALFORMED, 'the request body is not UTF-8 text');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, ErrorCode.BODY_MALFORMED, `the request body is not JSON: ${(error as Error).message}`);
  }
}
