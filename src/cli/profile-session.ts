import { existsSync } from 'node:fs';
import { AdaptiveSession } from '../adapt/adaptive-session.ts';
import { ON_DEVICE_DYNAMIC, type AdaptedParameters } from '../adapt/dynamic/dynamic-options.ts';
import { loadProfile, saveProfile } from '../adapt/profile/profile-file.ts';
import type { AdaptationProfile } from '../adapt/profile/profile-contents.ts';
import { applyProfile, profileOf } from '../adapt/session-profile.ts';
import type { Model } from '../model/model.ts';
import { adaptationFromFlags, type AdaptFlagValues } from './adapt-flags.ts';

/**
 * An adaptive session for a CLI command: made from the adaptation flags, and
 * holding the profile at `profilePath` when that file exists. A profile with
 * weight deltas turns dynamic evaluation on, adapting the tensors it holds
 * deltas of (unless the flags say otherwise). Dynamic evaluation's unset
 * options come from ON_DEVICE_DYNAMIC (the recurrent weights: a 4 MB profile).
 * Cold path: reads and checks the profile.
 */
export async function openProfileSession(model: Model, values: AdaptFlagValues, profilePath: string | undefined, dynamicByDefault: boolean): Promise<AdaptiveSession> {
  const profile = profilePath !== undefined && existsSync(profilePath) ? await loadProfile(profilePath) : null;
  let flags = values;
  if (profile !== null && profile.deltas.length > 0) {
    flags = { ...values, dynamic: values.dynamic ?? 'on', 'adapt-parameters': values['adapt-parameters'] ?? parametersOf(profile) };
  }
  const session = new AdaptiveSession(model, adaptationFromFlags(model, flags, dynamicByDefault, ON_DEVICE_DYNAMIC));
  if (profile !== null) applyProfile(session, profile);
  return session;
}

/** Writes what the session learned to `path` (atomically). Returns the bytes written. */
export function saveSessionProfile(session: AdaptiveSession, path: string): Promise<number> {
  return saveProfile(path, profileOf(session));
}

/** The dynamic-evaluation parameters a profile's deltas were made with. */
function parametersOf(profile: AdaptationProfile): AdaptedParameters {
  const names = profile.deltas.map((delta) => delta.name);
  if (names.includes('embedding') || names.includes('head.weight')) return 'all';
  return names.some((name) => name.endsWith('.weight')) ? 'recurrent' : 'biases';
}
