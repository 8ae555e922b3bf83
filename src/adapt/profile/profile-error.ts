import { LstmStreamError } from '../../errors.ts';

/**
 * An adaptation profile that cannot be read, written or used: not
 * MessagePack, the wrong format or version, a damaged or truncated file, a
 * field of the wrong type (INVALID_FIELD) or value (PROFILE_INVALID), a NaN
 * or infinite float (PROFILE_NOT_FINITE), a size beyond a limit
 * (LIMIT_EXCEEDED), or a profile made for another model
 * (PROFILE_MODEL_MISMATCH). `code` is one of ErrorCode's codes (see
 * docs/PROFILE-FORMAT.md §9); the message names the field, index or byte offset.
 * Cost: none until thrown.
 */
export class ProfileError extends LstmStreamError {}
