import { LstmStreamError } from '../errors.ts';

/**
 * Adaptation that cannot go as asked: an invalid cache or dynamic-evaluation
 * option, a model that cannot adapt (no token input or no softmax head).
 * `code` is ADAPT_OPTION_INVALID or NOT_A_LANGUAGE_MODEL; the message names the option.
 */
export class AdaptError extends LstmStreamError {}
