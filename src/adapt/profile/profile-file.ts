import { ErrorCode } from '../../errors.ts';
import { SourceError } from '../../io/errors.ts';
import { readSource, type ByteSource } from '../../io/read-source.ts';
import { writeFileAtomic } from '../../io/write-file-atomic.ts';
import type { AdaptationProfile } from './profile-contents.ts';
import { decodeProfile, encodeProfile } from './profile-codec.ts';
import { ProfileError } from './profile-error.ts';
import { DEFAULT_PROFILE_LIMITS, type ProfileLimits } from './profile-limits.ts';

/** Options of {@link loadProfile}: the size limits of decodeProfile, and an AbortSignal for fetches and streams. */
export interface LoadProfileOptions extends ProfileLimits {
  readonly signal?: AbortSignal;
}

/**
 * Encodes a profile ({@link encodeProfile}) and writes it to path
 * atomically: a temporary file in the same directory, flushed, then renamed
 * over path, so a crash mid-save leaves the previous profile whole (Node,
 * Deno, Bun; node:fs is imported lazily). Resolves to the number of bytes
 * written. Throws ProfileError for a profile that breaks the format's rules
 * (nothing is written then) and SourceError (FILE_WRITE_FAILED) when the
 * file cannot be written. Cost: the file's bytes in memory once, one write and an fsync.
 */
export async function saveProfile(path: string, profile: AdaptationProfile): Promise<number> {
  const bytes = encodeProfile(profile);
  await writeFileAtomic(path, bytes);
  return bytes.length;
}

/**
 * Loads a profile file from a Uint8Array, ArrayBuffer, file path (Node,
 * Deno, Bun), URL, fetch Response, Blob or ReadableStream, and decodes it
 * with {@link decodeProfile}. maxBytes is enforced while reading, before the
 * bytes are gathered where the size is known up front. Throws ProfileError
 * for a bad profile (a source over maxBytes included) and SourceError when
 * the bytes cannot be read. It does not check the profile against a model:
 * call checkProfileFor before using it. Cost: the file's bytes, briefly,
 * plus the profile's arrays.
 */
export async function loadProfile(source: ByteSource, options: LoadProfileOptions = {}): Promise<AdaptationProfile> {
  const maxBytes = options.maxBytes ?? DEFAULT_PROFILE_LIMITS.maxBytes;
  let bytes: Uint8Array;
  try {
    bytes = await readSource(source, { maxBytes, signal: options.signal });
  } catch (error) {
    // Too many bytes is a property of the file, so it gets the profile's error class like every other limit.
    if (error instanceof SourceError && error.code === ErrorCode.LIMIT_EXCEEDED) {
      throw new ProfileError(ErrorCode.LIMIT_EXCEEDED, error.message, { cause: error });
    }
    throw error;
  }
  return decodeProfile(bytes, options);
}
