import type { EnvReader } from './env-reader';

/** Contextual TTS through Sesame CSM: `csm` calls services/csm-gpu directly, `csm-bridge` goes through apps/csm-bridge. */
export type CsmChoice = 'csm' | 'csm-bridge';
export const CSM_CHOICES: readonly CsmChoice[] = ['csm', 'csm-bridge'];
/** The vendors a CSM fallback may be (never CSM itself: the fallback is what speaks when CSM cannot). */
export type CsmFallbackChoice = 'cartesia' | 'openai' | 'elevenlabs' | 'local';

export interface CsmConfig {
  readonly via: CsmChoice;
  /** `CSM_ENDPOINT` (csm-gpu root, http/https) or `CSM_BRIDGE_URL` (the bridge root, ws/wss). */
  readonly url: string;
  /** `CSM_TIMEOUT_MS`: no first CSM audio within this long → the fallback speaks the sentence. */
  readonly timeoutMs: number;
  /** `CSM_MAX_CONTEXT_SECONDS`: context audio sent per request (default 24 s; a 413 halves it for the call). */
  readonly maxContextSeconds: number;
  /** `CSM_SPEAKER_ID`: CSM speaker id of the agent (the caller gets another one). */
  readonly speakerId: number;
  /** `CSM_MODE` (direct only): `stream` (NDJSON, first audio after 160 ms of speech) or `wav` (whole utterance). */
  readonly mode: 'stream' | 'wav';
  /** `CSM_VOICE_PROFILE` (bridge only): the bridge's `voice_profile_id`. */
  readonly voiceProfile: string;
  /** `CSM_BACKCHANNEL` on: the fallback says `text` when CSM's first audio of a reply is later than `afterMs`. */
  readonly backchannel?: { readonly afterMs: number; readonly text: string };
}

export interface CsmTtsSelection {
  readonly csm: CsmConfig;
  /** Key for a proxy in front of CSM (or ''), so `redactedConfig` hides it like every vendor key. */
  readonly apiKey: string;
  /** Who speaks when CSM cannot: `TTS_FALLBACK_PROVIDER`, else Cartesia when keyed, else local flite. */
  readonly fallback: CsmFallbackChoice;
  readonly fallbackWhy: string;
}

/**
 * The CSM variables, read only when `TTS_PROVIDER` is `csm` or `csm-bridge`, validated once with every problem
 * collected in `r.problems`. CSM is best effort (docs/architecture.md "Contextual TTS (CSM)"), so a fallback is
 * mandatory (`none` is refused).
 */
export function csmFrom(r: EnvReader, via: CsmChoice): CsmTtsSelection {
  const why = `for TTS_PROVIDER=${via}`;
  const url =
    via === 'csm'
      ? r.require('CSM_ENDPOINT', r.url('CSM_ENDPOINT', ['http', 'https']), `${why} (the services/csm-gpu root, e.g. http://gpu-host:8001)`)
      : r.require('CSM_BRIDGE_URL', r.url('CSM_BRIDGE_URL', ['ws', 'wss', 'http', 'https']), `${why} (the apps/csm-bridge root, e.g. ws://bridge:8002)`);
  const timeoutMs = r.int('CSM_TIMEOUT_MS', 1500, 100, 30_000);
  const backchannelOn = r.bool('CSM_BACKCHANNEL', false);
  const afterMs = r.int('CSM_BACKCHANNEL_AFTER_MS', 600, 50, 30_000);
  if (backchannelOn && afterMs >= timeoutMs) {
    r.problems.push(`CSM_BACKCHANNEL_AFTER_MS (${afterMs}) must be below CSM_TIMEOUT_MS (${timeoutMs}): the backchannel covers a slow start before the fallback takes over`);
  }
  const explicit = r.oneOf<CsmFallbackChoice | 'none' | 'csm' | 'csm-bridge'>('TTS_FALLBACK_PROVIDER', ['cartesia', 'openai', 'elevenlabs', 'local', 'none', 'csm', 'csm-bridge']);
  let fallback: CsmFallbackChoice;
  let fallbackWhy: string;
  if (explicit === 'none' || explicit === 'csm' || explicit === 'csm-bridge') {
    r.problems.push(`TTS_FALLBACK_PROVIDER=${explicit} cannot back TTS_PROVIDER=${via}: CSM needs a fallback that is not CSM (cartesia, openai, elevenlabs or local)`);
    fallback = 'local';
    fallbackWhy = '';
  } else if (explicit !== undefined) {
    fallback = explicit;
    fallbackWhy = 'TTS_FALLBACK_PROVIDER';
  } else {
    fallback = r.str('CARTESIA_API_KEY') ? 'cartesia' : 'local';
    fallbackWhy = fallback === 'cartesia' ? 'CARTESIA_API_KEY is set' : 'offline flite: CARTESIA_API_KEY is not set';
  }
  return {
    apiKey: r.str('CSM_API_KEY') ?? '',
    fallback,
    fallbackWhy,
    csm: {
      via,
      url,
      timeoutMs,
      maxContextSeconds: r.int('CSM_MAX_CONTEXT_SECONDS', 24, 0, 120),
      speakerId: r.int('CSM_SPEAKER_ID', 0, 0, 1000),
      mode: r.oneOf<'stream' | 'wav'>('CSM_MODE', ['stream', 'wav'], 'stream'),
      voiceProfile: r.strOr('CSM_VOICE_PROFILE', 'default'),
      backchannel: backchannelOn ? { afterMs, text: r.strOr('CSM_BACKCHANNEL_TEXT', 'Mm-hm.') } : undefined,
    },
  };
}

/** CSM variables set while TTS_PROVIDER is not CSM do nothing: say so in the start-up notes rather than stay silent. */
export function ignoredCsmNote(r: EnvReader): string | undefined {
  const set = ['CSM_ENDPOINT', 'CSM_BRIDGE_URL'].filter((v) => r.str(v) !== undefined);
  return set.length > 0 ? `${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set but TTS_PROVIDER is not csm or csm-bridge: ignored` : undefined;
}
