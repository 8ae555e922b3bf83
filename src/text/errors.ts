import { LstmStreamError } from '../errors.ts';

/**
 * Bad text-side input: an inconsistent vocabulary or tokenizer setting, a
 * token the vocabulary cannot map, or a sampling option out of range.
 */
export class TextError extends LstmStreamError {}
