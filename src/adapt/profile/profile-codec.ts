import { decode, DecodeError, Encoder, type ExtensionCodecType } from '@msgpack/msgpack';
import { ErrorCode } from '../../errors.ts';
import { crc32 } from '../../format/crc32.ts';
import { FormatError } from '../../format/errors.ts';
import { CHECKSUM_TRAILER_LENGTH, CHECKSUM_TRAILER_PREFIX } from '../../format/model-file.ts';
import { scanMessagePack, type ScanLimits } from '../../format/msgpack-scan.ts';
import { matchMagic } from '../../format/read-model-file.ts';
import { float32ToBytes } from '../../format/tensor-bytes.ts';
import { int32ToBytes } from './int32-bytes.ts';
import type { AdaptationProfile } from './profile-contents.ts';
import { MAX_MAP_ENTRIES, MAX_STRING_BYTES, PROFILE_FORMAT_NAME, PROFILE_FORMAT_VERSION } from './profile-document.ts';
import { ProfileError } from './profile-error.ts';
import { DEFAULT_PROFILE_LIMITS, resolveProfileLimits, type ProfileLimits, type ResolvedProfileLimits } from './profile-limits.ts';
import { readProfileFields } from './read-profile-fields.ts';
import { showValue } from './show-value.ts';
import { validateProfile } from './validate-profile.ts';


// No extension types in either direction: the encoder never emits one, and
// the decoder could never hand one back as a value (the scan refuses them first).
const refuseExtensions: ExtensionCodecType<undefined> = {
  tryToEncode: () => null,
  decode: (_data, type) => {
    throw new ProfileError(ErrorCode.EXTENSION_TYPE, `MessagePack extension type ${type}: profile files use no extension types`);
  },
};

/**
 * Encodes an adaptation profile as a profile file (docs/PROFILE-FORMAT.md):
 * format name and version first, the fields, int32 and f32 payloads as
 * little-endian binaries, and the CRC-32 trailer last. The profile is held
 * to every rule of the format and to the default ProfileLimits first
 * (validateProfile), so whatever this writes, decodeProfile reads back with
 * the same arrays. The same profile gives the same bytes on every runtime.
 * Throws ProfileError (INVALID_FIELD, PROFILE_INVALID, PROFILE_NOT_FINITE,
 * LIMIT_EXCEEDED) naming the field and index. Cold path: one pass over the
 * profile to check it, then the file (about 4 bytes per number held) plus a
 * copy of each payload as bytes.
 */
export function encodeProfile(profile: AdaptationProfile): Uint8Array {
  validateProfile(profile, DEFAULT_PROFILE_LIMITS);
  let payloadBytes = profile.state === null ? 0 : profile.state.length * 4;
  const cache = profile.cache;
  if (cache !== null) payloadBytes += (cache.tokens.length + cache.newWordIndices.length + cache.states.length) * 4;
  const deltas = profile.deltas.map((delta) => {
    payloadBytes += (delta.values.length + (delta.rows?.length ?? 0)) * 4;
    return {
      name: delta.name,
      shape: [delta.shape[0], delta.shape[1]],
      rows: delta.rows === null ? null : int32ToBytes(delta.rows),
      values: float32ToBytes(delta.values),
    };
  });
  // Keys in PROFILE_KEYS order: writers emit them so, and format first / checksum last are required.
  const document = {
    format: PROFILE_FORMAT_NAME,
    version: PROFILE_FORMAT_VERSION,
    modelFingerprint: profile.modelFingerprint,
    hiddenSize: profile.hiddenSize,
    vocabSize: profile.vocabSize,
    tokensRead: profile.tokensRead,
    cache:
      cache === null
        ? null
        : {
            kind: cache.kind,
            capacity: cache.capacity,
            tokens: int32ToBytes(cache.tokens),
            newWordIndices: int32ToBytes(cache.newWordIndices),
            states: float32ToBytes(cache.states),
          },
    newWords: profile.newWords.map((word) => ({ text: word.text, count: word.count })),
    deltas,
    state: profile.state === null ? null : float32ToBytes(profile.state),
    // A uint32 placeholder, so the file ends with the fixed 14-byte trailer; patched below.
    checksum: 0xffffffff,
  };
  const encoder = new Encoder({ extensionCodec: refuseExtensions, initialBufferSize: payloadBytes + 16 * profile.newWords.length + 4096 });
  const bytes = encoder.encode(document);
  if (bytes.length > DEFAULT_PROFILE_LIMITS.maxBytes) {
    // Each payload is within its limit, but together they would make a file the default reader refuses.
    throw new ProfileError(
      ErrorCode.LIMIT_EXCEEDED,
      `the profile encodes to ${bytes.length} bytes, over the default maxBytes limit of ${DEFAULT_PROFILE_LIMITS.maxBytes} that readers apply`,
    );
  }
  const start = bytes.length - CHECKSUM_TRAILER_LENGTH;
  for (let i = 0; i < CHECKSUM_TRAILER_PREFIX.length; i++) {
    if (bytes[start + i] !== CHECKSUM_TRAILER_PREFIX[i]) throw new Error('encodeProfile: checksum trailer not at the end (internal error)');
  }
  const crc = crc32(bytes, 0, start);
  const at = bytes.length - 4;
  bytes[at] = crc >>> 24;
  bytes[at + 1] = (crc >>> 16) & 0xff;
  bytes[at + 2] = (crc >>> 8) & 0xff;
  bytes[at + 3] = crc & 0xff;
  return bytes;
}

/**
 * Decodes and checks a profile file's bytes, in the order
 * docs/PROFILE-FORMAT.md §9 gives: the size limit, the MessagePack structure
 * (scanned with every declared length checked against the limits before
 * anything is decoded, so a hostile file cannot make it allocate more than
 * its own size and the limits allow), the format name and version, the
 * CRC-32, every key and type, then every value rule (validateProfile).
 * Throws ProfileError with a stable code and a message naming the field,
 * index or byte offset; never returns a profile that encodeProfile would
 * refuse. It does not check the profile against a model (checkProfileFor).
 * Cost: one structural pass, one CRC-32 pass, one decode, one copy of each
 * payload into aligned typed arrays, one validation pass; keeps no
 * reference to `bytes`.
 */
export function decodeProfile(bytes: Uint8Array, options: ProfileLimits = {}): AdaptationProfile {
  const limits = resolveProfileLimits(options);
  if (!(bytes instanceof Uint8Array)) throw new ProfileError(ErrorCode.NOT_MSGPACK, `profile bytes must be a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length > limits.maxBytes) {
    throw new ProfileError(ErrorCode.LIMIT_EXCEEDED, `profile is ${bytes.length} bytes, over the maxBytes limit of ${limits.maxBytes}`);
  }
  checkStructure(bytes, limits);
  const document = decodeDocument(bytes, limits);
  if (document.format !== PROFILE_FORMAT_NAME) {
    const hint = document.format === 'lstm-stream' ? ' (this is a model file: load it with loadModel)' : '';
    throw new ProfileError(ErrorCode.WRONG_FORMAT, `format is ${showValue(document.format)}, expected "${PROFILE_FORMAT_NAME}"${hint}`);
  }
  if (document.version !== PROFILE_FORMAT_VERSION) {
    throw new ProfileError(
      ErrorCode.UNSUPPORTED_VERSION,
      `profile version is ${showValue(document.version)}; this reader supports version ${PROFILE_FORMAT_VERSION}`,
    );
  }
  checkChecksum(bytes, document);
  const profile = readProfileFields(document, limits);
  validateProfile(profile, limits);
  return profile;
}

/** The scan's bounds for a profile: strings are short, binaries bounded by the file and tensor limits, arrays by the word and delta limits. */
function scanLimits(limits: ResolvedProfileLimits): ScanLimits {
  return {
    maxStringLength: MAX_STRING_BYTES,
    maxBinLength: Math.min(limits.maxBytes, limits.maxTensorElements * 4),
    maxArrayLength: Math.max(limits.maxNewWords, limits.maxDeltas, 2),
    maxMapLength: MAX_MAP_ENTRIES,
  };
}

/** Classifies bytes that fail the structural scan: not MessagePack at all, or a damaged profile. */
function checkStructure(bytes: Uint8Array, limits: ResolvedProfileLimits): void {
  if (bytes.length === 0) throw new ProfileError(ErrorCode.TRUNCATED, 'profile is empty');
  const magic = matchMagic(bytes);
  try {
    scanMessagePack(bytes, scanLimits(limits));
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
    if (magic === 'no') {
      throw new ProfileError(
        ErrorCode.NOT_MSGPACK,
        `not a MessagePack profile file: it does not start with a map whose first key is "format" (${error.message})`,
        { cause: error },
      );
    }
    throw new ProfileError(error.code, profileMessage(error), { cause: error });
  }
  if (magic === 'no') {
    throw new ProfileError(ErrorCode.WRONG_FORMAT, 'a MessagePack document, but not a profile file: it does not start with a map whose first key is "format"');
  }
}

// The shared scan (src/format/msgpack-scan.ts) words its messages for model
// files; these name the profile's own limits instead. Only the wording
// changes: the code and the byte offset are the scan's.
const PROFILE_LIMIT_NAMES: Record<string, string> = {
  string: `a profile's strings are at most ${MAX_STRING_BYTES} bytes`,
  binary: 'maxBytes and maxTensorElements × 4',
  array: 'maxNewWords and maxDeltas',
  map: `a profile's maps have at most ${MAX_MAP_ENTRIES} entries`,
};

function profileMessage(error: FormatError): string {
  if (error.code === ErrorCode.EXTENSION_TYPE) return error.message.replace('model files', 'profile files');
  if (error.code === ErrorCode.LIMIT_EXCEEDED) {
    const match = /^the (string|binary|array|map) at byte \d+ has length \d+, over the limit of \d+/.exec(error.message);
    if (match !== null) return `${match[0]} (${PROFILE_LIMIT_NAMES[match[1]]})`;
  }
  return error.message;
}

function decodeDocument(bytes: Uint8Array, limits: ResolvedProfileLimits): Record<string, unknown> {
  const scan = scanLimits(limits);
  let document: unknown;
  try {
    document = decode(bytes, {
      extensionCodec: refuseExtensions,
      maxStrLength: scan.maxStringLength,
      maxBinLength: scan.maxBinLength,
      maxArrayLength: scan.maxArrayLength,
      maxMapLength: scan.maxMapLength,
      maxExtLength: 0,
    });
  } catch (error) {
    if (error instanceof ProfileError) throw error;
    // The scan has vetted lengths and structure; what is left are values the
    // decoder refuses, such as a map key that is not a string or "__proto__".
    const message = error instanceof Error ? error.message : String(error);
    const code = error instanceof DecodeError ? ErrorCode.INVALID_FIELD : ErrorCode.NOT_MSGPACK;
    throw new ProfileError(code, `MessagePack decoding failed: ${message}`, { cause: error });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document) || document instanceof Uint8Array) {
    throw new ProfileError(ErrorCode.WRONG_FORMAT, 'the top level is not a map');
  }
  return document as Record<string, unknown>;
}

function checkChecksum(bytes: Uint8Array, document: Record<string, unknown>): void {
  const start = bytes.length - CHECKSUM_TRAILER_LENGTH;
  let trailerOk = start > 0 && typeof document.checksum === 'number';
  for (let i = 0; trailerOk && i < CHECKSUM_TRAILER_PREFIX.length; i++) trailerOk = bytes[start + i] === CHECKSUM_TRAILER_PREFIX[i];
  if (!trailerOk) {
    throw new ProfileError(
      ErrorCode.CHECKSUM_MISSING,
      'checksum is missing: the profile must end with the entry "checksum" holding a uint32 (bytes A8 "checksum" CE and four CRC-32 bytes)',
    );
  }
  const at = bytes.length - 4;
  const stored = ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
  if (stored !== document.checksum) throw new ProfileError(ErrorCode.CHECKSUM_MISSING, 'checksum is not the last entry of the top-level map');
  const computed = crc32(bytes, 0, start);
  if (computed !== stored) {
    throw new ProfileError(
      ErrorCode.CHECKSUM_MISMATCH,
      `checksum mismatch: the profile says CRC-32 ${hex(stored)}, its first ${start} bytes give ${hex(computed)}; the file is damaged`,
    );
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'object'}`;
  return `a ${typeof value}`;
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}
