import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProfile } from '../../src/adapt/profile/profile-codec.ts';
import { ProfileError } from '../../src/adapt/profile/profile-error.ts';
import { loadProfile, saveProfile } from '../../src/adapt/profile/profile-file.ts';
import { ErrorCode } from '../../src/errors.ts';
import { SourceError } from '../../src/io/errors.ts';
import { continuousProfile, plain, unigramProfile } from './profile-helpers.ts';

describe('saveProfile / loadProfile', () => {
  let directory = '';
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lstm-stream-profile-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('saves atomically and loads back exactly, from a path, bytes, a Blob or a stream', async () => {
    const path = join(directory, 'writer.profile');
    const written = await saveProfile(path, continuousProfile());
    const bytes = new Uint8Array(await readFile(path));
    expect(written).toBe(bytes.length);
    expect(bytes).toEqual(encodeProfile(continuousProfile()));
    expect(plain(await loadProfile(path))).toEqual(plain(continuousProfile()));
    expect(plain(await loadProfile(bytes))).toEqual(plain(continuousProfile()));
    expect(plain(await loadProfile(new Blob([bytes])))).toEqual(plain(continuousProfile()));
    expect(plain(await loadProfile(new Blob([bytes]).stream()))).toEqual(plain(continuousProfile()));
    // Overwriting replaces the whole file.
    await saveProfile(path, unigramProfile());
    expect(plain(await loadProfile(path))).toEqual(plain(unigramProfile()));
  });

  it('refuses a profile that breaks the rules before writing anything', async () => {
    const path = join(directory, 'bad.profile');
    const bad = { ...continuousProfile(), hiddenSize: 0 };
    await expect(saveProfile(path, bad)).rejects.toThrow(ProfileError);
    await expect(readFile(path)).rejects.toThrow();
  });

  it('a file over maxBytes is ProfileError LIMIT_EXCEEDED, read or not; a damaged one its decode error; a missing one SourceError', async () => {
    const path = join(directory, 'big.profile');
    await saveProfile(path, continuousProfile());
    const tooBig = await loadProfile(path, { maxBytes: 50 }).catch((error: unknown) => error);
    expect(tooBig).toBeInstanceOf(ProfileError);
    expect((tooBig as ProfileError).code).toBe(ErrorCode.LIMIT_EXCEEDED);
    const streamed = await loadProfile(new Blob([await readFile(path)]).stream(), { maxBytes: 50 }).catch((error: unknown) => error);
    expect((streamed as ProfileError).code).toBe(ErrorCode.LIMIT_EXCEEDED);
    const damaged = join(directory, 'damaged.profile');
    const bytes = new Uint8Array(await readFile(path));
    bytes[bytes.length - 20] ^= 1;
    await writeFile(damaged, bytes);
    const error = await loadProfile(damaged).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as ProfileError).code).toBe(ErrorCode.CHECKSUM_MISMATCH);
    const missing = await loadProfile(join(directory, 'none.profile')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SourceError);
    expect((missing as SourceError).code).toBe(ErrorCode.SOURCE_READ_FAILED);
  });
});
