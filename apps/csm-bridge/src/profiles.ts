import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { readWav } from '@voice/audio-codec';
import type { SnippetAudio } from '@voice/context-buffer';

/**
 * A voice the bridge can speak with (the protocol's `voice_profile_id`): a CSM speaker id, and optionally a reference
 * clip with its transcript that seeds each session's context, so CSM continues that voice from the first reply.
 */
export interface VoiceProfile {
  readonly id: string;
  readonly speakerId: number;
  readonly reference?: { readonly text: string; readonly audio: SnippetAudio };
}

/** Profile ids become file names: letters, digits, `.`, `_`, `-`. */
export const PROFILE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Thrown at start when a profile file is unusable; `problems` lists every file's issue. */
export class ProfileError extends Error {
  override readonly name = 'ProfileError';
  readonly code = 'BRIDGE_PROFILES_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`invalid voice profiles:\n  - ${problems.join('\n  - ')}`);
  }
}

export const DEFAULT_PROFILE: VoiceProfile = Object.freeze({ id: 'default', speakerId: 0 });

/**
 * Reads `<dir>/<id>.json` files: `{"speaker_id": 0, "reference_audio": "ava.wav", "reference_text": "Hi, ..."}`.
 * `reference_audio` is a PCM16 or μ-law WAV inside `dir` (any rate; the context buffer resamples it to 24 kHz and
 * keeps at most one snippet's worth, 6 s at the default window). `default` is built in (speaker 0) unless a file
 * defines it. Everything is read once, at start.
 */
export async function loadProfiles(dir: string | undefined): Promise<ReadonlyMap<string, VoiceProfile>> {
  const profiles = new Map<string, VoiceProfile>([[DEFAULT_PROFILE.id, DEFAULT_PROFILE]]);
  if (dir === undefined) return profiles;
  const root = resolve(dir);
  const problems: string[] = [];
  let files: string[];
  try {
    files = (await readdir(root)).filter((f) => f.endsWith('.json')).sort();
  } catch (e) {
    throw new ProfileError([`CSM_PROFILES_DIR '${dir}' cannot be read: ${(e as Error).message}`]);
  }
  for (const file of files) {
    const id = basename(file, '.json');
    if (!PROFILE_ID.test(id)) {
      problems.push(`${file}: the profile id '${id}' may use only letters, digits, '.', '_' and '-' (at most 64)`);
      continue;
    }
    try {
      profiles.set(id, await readProfile(root, file, id));
    } catch (e) {
      problems.push(`${file}: ${(e as Error).message}`);
    }
  }
  if (problems.length > 0) throw new ProfileError(problems);
  return profiles;
}

async function readProfile(root: string, file: string, id: string): Promise<VoiceProfile> {
  const raw = JSON.parse(await readFile(join(root, file), 'utf8')) as Record<string, unknown>;
  const speakerId = raw['speaker_id'] ?? 0;
  if (typeof speakerId !== 'number' || !Number.isInteger(speakerId) || speakerId < 0 || speakerId > 1000) {
    throw new Error('speaker_id must be an integer 0..1000 (csm-gpu schema)');
  }
  const audioFile = raw['reference_audio'];
  if (audioFile === undefined) return { id, speakerId };
  const text = raw['reference_text'];
  if (typeof audioFile !== 'string' || typeof text !== 'string' || text.trim() === '') {
    throw new Error('reference_audio needs a file name and reference_text its transcript');
  }
  const path = resolve(root, audioFile);
  const rel = relative(root, path);
  if (rel.startsWith('..') || rel.startsWith(sep) || rel === '') throw new Error(`reference_audio '${audioFile}' must be inside the profiles folder`);
  const wav = readWav(await readFile(path));
  return { id, speakerId, reference: { text: text.trim(), audio: { samples: wav.samples, sampleRate: wav.sampleRate } } };
}
