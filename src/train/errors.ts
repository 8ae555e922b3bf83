import { LstmStreamError } from '../errors.ts';

/** Bad training input or settings: token ids out of range, wrong lengths, impossible options, a corrupt checkpoint. */
export class TrainingError extends LstmStreamError {}
