import { ErrorCode } from '../errors.ts';
import { InputError } from './errors.ts';

/**
 * Throws InputError when `token` cannot be stepped by an embedding model of
 * `vocabSize` tokens (TOKEN_NOT_INTEGER, TOKEN_OUT_OF_RANGE), naming the
 * step `position`. One compare per bound; no allocation unless it throws.
 */
export function checkToken(token: number, vocabSize: number, position: number): void {
  if (!Number.isInteger(token)) {
    throw new InputError(ErrorCode.TOKEN_NOT_INTEGER, `step ${position}: token id ${token} is not an integer`);
  }
  if (token < 0 || token >= vocabSize) {
    throw new InputError(ErrorCode.TOKEN_OUT_OF_RANGE, `step ${position}: token id ${token} is outside the vocabulary [0, ${vocabSize})`);
  }
}
