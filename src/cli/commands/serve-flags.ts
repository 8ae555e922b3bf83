import { ErrorCode } from '../../errors.ts';
import { ServeError } from '../../serve/serve-error.ts';

/** A whole-number flag's value; undefined when the flag is absent. Throws ServeError (SERVE_OPTION_INVALID) naming the flag otherwise. */
export function integerFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `${flag} is ${JSON.stringify(value)}; expected a whole number`);
  return Number(value);
}

/** A flag given in seconds, as milliseconds; undefined when absent. Throws ServeError (SERVE_OPTION_INVALID) naming the flag otherwise. */
export function secondsFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(parsed)) throw new ServeError(ErrorCode.SERVE_OPTION_INVALID, `${flag} is ${JSON.stringify(value)}; expected seconds`);
  return parsed * 1000;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/** Whether an address only this machine can reach (127.x.x.x, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}
