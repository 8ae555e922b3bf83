import { LstmStreamError } from '../errors.ts';

/** Bad input to a step, a snapshot or a state view: wrong kind, size, range or a non-finite value. */
export class InputError extends LstmStreamError {}

/** A model that cannot be built: inconsistent architecture, missing or mis-shaped tensors, non-finite weights. */
export class ConfigError extends LstmStreamError {}
